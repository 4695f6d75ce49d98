import type { ServerResponse } from 'node:http';
import type { MeshRequest } from './inbound-mesh.js';

/** A node:http request listener, given the requests the mesh serves; an Express app (4 or 5) is one too. */
export type RequestListener = (req: MeshRequest, res: ServerResponse) => unknown;

/** The part of a Fastify instance (4 or 5) that mesh.serve uses; any Fastify instance fits. */
export interface FastifyLike {
  readonly version: string;
  register(plugin: any, opts?: any): unknown;
  ready(): PromiseLike<unknown>;
  hasPlugin(name: string): boolean;
  close(): PromiseLike<unknown>;
  readonly routing: (req: any, res: any) => void;
}

export type ServeApp = RequestListener | FastifyLike;

export type AppKind = 'express' | 'fastify' | 'node';

/** Tells the three kinds apart by shape: no framework is imported to look. */
export function appKind(app: unknown): AppKind {
  if (typeof app === 'object' && app !== null) {
    const f = app as Partial<FastifyLike>;
    if (typeof f.routing === 'function' && typeof f.register === 'function' && typeof f.ready === 'function') return 'fastify';
  }
  if (typeof app === 'function') {
    const e = app as unknown as Record<string, unknown>;
    return typeof e.handle === 'function' && typeof e.use === 'function' && typeof e.set === 'function' ? 'express' : 'node';
  }
  throw new TypeError('mesh.serve: expected an Express app, a Fastify instance or a (req, res) request listener');
}

/** The major version of a Fastify instance (`app.version`), 0 when unknown. */
export function fastifyMajor(app: FastifyLike): number {
  const major = Number.parseInt(String(app.version ?? ''), 10);
  return Number.isFinite(major) ? major : 0;
}
