import type { Server } from 'node:http';
import { MeshError } from '../core/index.js';
import { appKind, fastifyMajor, type AppKind, type FastifyLike, type RequestListener, type ServeApp } from './app-kind.js';
import { expressRouteOf } from './express.js';
import { fastifyStackOf, inmeshFastify, kRuntime } from './fastify.js';
import type { InboundRequest, InboundResponse, InboundTarget } from './inbound-exchange.js';
import type { InboundOverrides } from './inbound-options.js';
import type { InboundRuntime } from './inbound-runtime.js';
import type { InboundStack } from './inbound-stack.js';
import { clientTimeouts } from './client-timeouts.js';
import { Listener } from './listener.js';
import type { ReadinessCheck } from './readiness.js';
import type { Registrar, ServedInstance } from './registrar.js';
import { within } from './within.js';
import { closeFastify, drainServer } from './drain-server.js';
import type { Drainable } from './inbound-runtime.js';

export interface ServeOptions extends InboundOverrides {
  /** Default: mesh.yaml `inbound.port` (0 picks a free port). */
  readonly port?: number;
  /** Default: mesh.yaml `inbound.host` (127.0.0.1). */
  readonly host?: string;
  /**
   * HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on the same port. Default on for request
   * listeners and Fastify 5; off for Express and Fastify 4, which do not run on Node's HTTP/2
   * compatibility API (their clients are told to use HTTP/1.1).
   */
  readonly http2?: boolean;
  /** Largest request head in bytes (default 16 KiB); larger ones get 431. */
  readonly maxHeaderSize?: number;
  /** Idle HTTP/1.1 keep-alive timeout in ms. Default: mesh.yaml `inbound.keepAliveTimeout` (5 s). */
  readonly keepAliveTimeout?: number;
  /** How long an HTTP/1.1 client has to send a request's head, in ms (then 408). Default: `inbound.headersTimeout` (10 s). */
  readonly headersTimeout?: number;
  /** How long an HTTP/1.1 client has to send a whole request, in ms (then 408). Default: `inbound.requestTimeout` (300 s). */
  readonly requestTimeout?: number;
  /** Where this instance is announced (default: the mesh's registrar: the control registry with `control.url`, else a no-op). */
  readonly registrar?: Registrar;
  /** The application's readiness checks by name: `/readyz` passes only when each does. */
  readonly readiness?: Readonly<Record<string, ReadinessCheck>>;
}

/** A running `mesh.serve`. */
export interface MeshServer {
  /** `http://host:port`, `https://` when the port serves mTLS only. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly kind: AppKind;
  /** `http/1.1`, plus `h2c` when HTTP/2 is served; over mTLS `mtls:http/1.1` and `mtls:h2` (a permissive port lists both kinds). */
  readonly protocols: readonly string[];
  /** The HTTP/1.1 server behind the port (for `upgrade` listeners); it does not listen itself. */
  readonly httpServer: Server;
  /**
   * Drains this server: deregister, stop accepting, finish in-flight requests (up to the drain
   * timeout). The application stays yours: a Fastify instance is not closed (call `app.close()`);
   * `mesh.close()` and the shutdown signal do close it, after the drain, so its onClose hooks run.
   */
  close(): Promise<void>;
}

/** What a served port speaks: mTLS with ALPN (`h2`, `http/1.1`), plaintext (`http/1.1`, `h2c`), or both (permissive). */
function servedProtocols(http2: boolean, mtls: 'strict' | 'permissive' | undefined): string[] {
  const secure = http2 ? ['h2', 'http/1.1'] : ['http/1.1'];
  const plain = http2 ? ['http/1.1', 'h2c'] : ['http/1.1'];
  if (mtls === 'strict') return secure.map((p) => `mtls:${p}`);
  if (mtls === 'permissive') return [...secure.map((p) => `mtls:${p}`), ...plain];
  return plain;
}

/** Backoff between registration attempts after a failure. */
const REGISTER_RETRY_MS = [500, 1000, 2000, 5000, 10_000];

/**
 * Serves an Express app, a Fastify instance or a request listener through the inbound stack
 * on a port of its own, announces it, and drains it on close. The three kinds share the stack:
 * Express and request listeners are wrapped at the node:http level, Fastify through the
 * `inmeshFastify` plugin (registered here unless the app did).
 *
 * @example
 * const server = await serve(runtime, app, { port: 8080, maxConcurrent: 200 });
 * await server.close();
 */
export async function serve(runtime: InboundRuntime, app: ServeApp, o: ServeOptions = {}): Promise<MeshServer> {
  if (runtime.draining) throw new MeshError('MESH_ERR_CLOSED', 'the mesh is closing: mesh.serve refused');
  const kind = appKind(app);
  const cfg = runtime.config;
  const host = o.host ?? cfg.host;
  const port = o.port ?? cfg.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`);
  const settings = runtime.settings(o);
  const timeouts = clientTimeouts(cfg, o);

  let stack: InboundStack;
  let onRequest: (req: InboundRequest, res: InboundResponse) => void;
  let http2: boolean;
  if (kind === 'fastify') {
    const f = app as FastifyLike;
    try {
      f.register(inmeshFastify, { ...o, [kRuntime]: runtime });
    } catch (err) {
      if (!f.hasPlugin('inmesh')) {
        throw new TypeError('mesh.serve(fastify): call it before app.ready() or app.listen(), or register inmeshFastify yourself first', { cause: err });
      }
    }
    await f.ready();
    const own = fastifyStackOf(f);
    if (!own) throw new TypeError('mesh.serve(fastify): the inmeshFastify plugin did not load on this instance');
    stack = own;
    onRequest = f.routing;
    http2 = o.http2 ?? fastifyMajor(f) >= 5;
  } else {
    const own = runtime.createStack(o);
    stack = own;
    const listener = app as RequestListener;
    const target: InboundTarget<InboundRequest, InboundResponse> = {
      run: (req, res) => listener(req as never, res as never),
      ...(kind === 'express' && { routeOf: expressRouteOf }),
    };
    onRequest = (req, res) => own.handle(req, res, target, req, res);
    http2 = o.http2 ?? kind === 'node';
  }
  runtime.adopt(stack);

  let listener: Listener;
  try {
    listener = await Listener.listen({
      host,
      port,
      http2,
      maxHeaderSize: o.maxHeaderSize,
      timeouts,
      onRequest,
      log: runtime.log,
      clock: runtime.clock,
      ...(runtime.tls && { tls: runtime.tls }),
    });
  } catch (err) {
    runtime.releaseStack(stack);
    throw err;
  }
  const protocols = servedProtocols(http2, listener.mtls);
  const instance: ServedInstance = {
    service: runtime.service,
    address: `${host.includes(':') ? `[${host}]` : host}:${listener.port}`,
    host,
    port: listener.port,
    protocols,
  };
  const removeChecks = Object.entries(o.readiness ?? {}).map(([name, check]) => runtime.readiness.add(name, check));
  const registration = new Registration(runtime, o.registrar ?? runtime.registrar, instance);
  await registration.first();

  let draining: Promise<void> | undefined;
  let appClosed: Promise<void> | undefined;
  const drainable: Drainable = {
    drain(closeApp = false) {
      draining ??= drainServer({ runtime, stack, listener, registration, drainTimeout: settings.drainTimeout, keepAliveTimeout: timeouts.keepAliveTimeout }).then(() => {
        untrack();
        for (const remove of removeChecks) remove();
        runtime.releaseStack(stack);
      });
      // The workload is stopping: a Fastify app closes too, once drained, so its onClose hooks run.
      if (!closeApp || kind !== 'fastify') return draining;
      return draining.then(() => (appClosed ??= closeFastify(app as FastifyLike, runtime.log)));
    },
  };
  const untrack = runtime.track(drainable);
  return {
    url: listener.url,
    port: listener.port,
    host,
    kind,
    protocols,
    httpServer: listener.http1,
    close: () => drainable.drain(),
  };
}

/** Announces an instance; on failure keeps trying in the background (readiness waits, unless the registrar says not to) until it drains. */
class Registration {
  readonly #runtime: InboundRuntime;
  readonly #registrar: Registrar;
  readonly #instance: ServedInstance;
  readonly #done: () => void;
  #registered = false;
  #stopped = false;
  #timer: unknown;

  constructor(runtime: InboundRuntime, registrar: Registrar, instance: ServedInstance) {
    this.#runtime = runtime;
    this.#registrar = registrar;
    this.#instance = instance;
    this.#done = registrar.gatesReadiness === false ? () => undefined : runtime.registering();
  }

  /** The first attempt, awaited by serve(); a failure is logged and retried later. */
  first(): Promise<void> {
    return this.#attempt(0);
  }

  /** Withdraws the instance (bounded by `ms`), and stops retrying. */
  async withdraw(ms: number): Promise<void> {
    this.#stopped = true;
    this.#runtime.clock.clearTimeout(this.#timer);
    this.#done(); // a draining instance no longer holds readiness up; `serving` says it is draining
    if (!this.#registered) return;
    const out = this.#registrar.deregister(this.#instance).catch((err: unknown) => this.#runtime.log.warn('deregistration failed', { err, address: this.#instance.address }));
    if (!(await within(out, ms, this.#runtime.clock))) this.#runtime.log.warn('deregistration took longer than the drain timeout', { address: this.#instance.address });
  }

  async #attempt(n: number): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#registrar.register(this.#instance);
      this.#registered = true;
      // Drained while the registry was answering: take the announcement back.
      if (this.#stopped) void this.#registrar.deregister(this.#instance).catch(() => undefined);
      else this.#done();
    } catch (err) {
      const wait = REGISTER_RETRY_MS[Math.min(n, REGISTER_RETRY_MS.length - 1)]!;
      this.#runtime.log.warn('registration failed; retrying', { err, address: this.#instance.address, retryInMs: wait });
      if (!this.#stopped) this.#timer = this.#runtime.clock.setTimeout(() => void this.#attempt(n + 1), wait);
    }
  }
}
