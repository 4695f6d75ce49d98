import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, ControlHttpError } from './control-http-error.js';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The decoded `{name}` segments of the route's template. */
  readonly params: Readonly<Record<string, string>>;
  /** The caller's verified SPIFFE ID (mTLS), if any. */
  readonly caller: string | undefined;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  /** `/v1/registry/services/{service}`: also the route's metric label. */
  readonly template: string;
  readonly methods: Partial<Record<Exclude<Method, 'HEAD'>, Handler>>;
}

export interface Match {
  readonly route: Route;
  readonly handler: Handler;
  readonly params: Record<string, string>;
}

/** The label of requests that match no route. */
export const UNMATCHED = 'unmatched';

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest('the path has a malformed percent-encoding');
  }
}

/**
 * A table of routes matched segment by segment; `{name}` matches one non-empty segment. No
 * route: 404; a route without the method: 405 with `allow`. HEAD is served as GET.
 */
export class Router {
  readonly #routes: { route: Route; segments: string[] }[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ route, segments: route.template.split('/') }));
  }

  /** The route of a path, for the metric label; undefined when none matches. */
  find(pathname: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = pathname.split('/');
    for (const { route, segments } of this.#routes) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const seg = segments[i]!;
        if (seg.startsWith('{')) {
          if (parts[i] === '') ok = false;
          else params[seg.slice(1, -1)] = parts[i]!;
        } else ok = seg === parts[i];
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  match(method: string, pathname: string): Match {
    const found = this.find(pathname);
    if (!found) throw new ControlHttpError(404, 'MESH_ERR_BAD_REQUEST', `no such path: ${pathname.slice(0, 200)}`);
    const wanted = (method === 'HEAD' ? 'GET' : method) as keyof Route['methods'];
    const handler = Object.hasOwn(found.route.methods, wanted) ? found.route.methods[wanted] : undefined;
    if (!handler) {
      const allow = Object.keys(found.route.methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
      throw new ControlHttpError(405, 'MESH_ERR_BAD_REQUEST', `${method.slice(0, 20)} is not allowed on ${found.route.template}; allowed: ${allow.join(', ')}`, { headers: { allow: allow.join(', ') } });
    }
    const params = Object.fromEntries(Object.entries(found.params).map(([k, v]) => [k, decodeSegment(v)]));
    return { route: found.route, handler, params };
  }
}
