import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { InboundTarget } from './inbound-exchange.js';
import { inboundOf, type InboundHost } from './inbound-host.js';
import type { InboundMesh, MeshRequest } from './inbound-mesh.js';
import type { InboundOverrides } from './inbound-options.js';
import type { InboundRuntime } from './inbound-runtime.js';
import type { InboundStack } from './inbound-stack.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the mesh knows of this request: caller, deadline, signal. */
    readonly mesh: InboundMesh;
  }
}

export interface InmeshFastifyOptions extends InboundOverrides {
  /** The mesh returned by createMesh. */
  readonly mesh: InboundHost;
}

/** mesh.serve passes its runtime directly, so a mesh need not be looked up. */
export const kRuntime = Symbol('inmesh.runtime');
type PluginOptions = InmeshFastifyOptions & { [kRuntime]?: InboundRuntime };

/** The stack each Fastify instance got, so that mesh.serve can drain the one it serves. */
const stacks = new WeakMap<object, InboundStack>();

export function fastifyStackOf(app: object): InboundStack | undefined {
  return stacks.get(app);
}

type Done = (err?: Error) => void;

/**
 * Fastify (4 and 5) keeps a request's route context under an own symbol of the request; its
 * `config.url` is what `request.routeOptions.url` returns, but `routeOptions` builds a fresh
 * object of a dozen fields on every read (~0.1 µs and garbage per request). The symbol is found
 * on the first request; should a Fastify lack it, `routeOptions` is read as before.
 */
let kRouteContext: symbol | null | undefined;

/** The route template of a Fastify request ('' when no route matched). */
export function fastifyRouteOf(request: FastifyRequest): string {
  if (kRouteContext === undefined) kRouteContext = Object.getOwnPropertySymbols(request).find((s) => s.description === 'fastify.context') ?? null;
  const context = kRouteContext === null ? undefined : ((request as unknown as Record<symbol, { config?: { url?: unknown } } | undefined>)[kRouteContext]);
  if (context === undefined) return request.routeOptions.url ?? '';
  const url = context.config?.url;
  return typeof url === 'string' ? url : '';
}

const hookTarget: InboundTarget<Done, FastifyReply> = {
  run(done) {
    done();
  },
  header(_done, reply, name, value) {
    void reply.header(name, value);
  },
  // Refused in onRequest: answer through Fastify and do not call done(), so its hooks and logs see it.
  reject(_done, reply, status, headers, body) {
    void reply.code(status).headers(headers).send(body);
  },
};

function inmeshPlugin(fastify: FastifyInstance, opts: PluginOptions, done: Done): void {
  // Registered twice (by the app and by mesh.serve): the first registration stands.
  if (fastify.hasRequestDecorator('mesh')) return done();
  const runtime = opts[kRuntime] ?? inboundOf(opts.mesh);
  const { mesh: _mesh, ...overrides } = opts;
  const stack = runtime.createStack(overrides);
  stacks.set(fastify, stack);
  fastify.decorateRequest('mesh', {
    getter(this: FastifyRequest) {
      return (this.raw as MeshRequest).mesh;
    },
  });
  fastify.addHook('onRequest', function inmeshOnRequest(request, reply, next) {
    stack.handle(request.raw, reply.raw, hookTarget, next, reply, fastifyRouteOf(request));
  });
  fastify.addHook('onClose', (_instance, closed) => {
    runtime.releaseStack(stack);
    closed();
  });
  done();
}

/**
 * A Fastify plugin (fastify-plugin style, so it applies to the whole app) running the inbound
 * stack in an `onRequest` hook, for apps that own their listener; `request.mesh` is typed.
 * Works with Fastify 4 and 5. `mesh.serve(app)` registers it for you.
 *
 * @example
 * const app = Fastify();
 * await app.register(inmeshFastify, { mesh, maxConcurrent: 100 });
 * app.get('/stock/:sku', async (request) => ({ left: request.mesh.remaining() }));
 * await app.listen({ port: 8080 });
 */
export const inmeshFastify: FastifyPluginCallback<InmeshFastifyOptions> = fp(inmeshPlugin as FastifyPluginCallback<InmeshFastifyOptions>, { name: 'inmesh' });
