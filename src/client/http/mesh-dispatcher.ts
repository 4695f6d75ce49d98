import { Dispatcher } from 'undici';
import { Cancellation, createCallContext, inboundScope, MeshError, UnknownServiceError, type BuiltStack, type Clock, type ProcessHold } from '../../core/index.js';
import { invalidCallOptions, kCallOptions, variantKey, type MeshCallOptions } from '../call-options.js';
import type { MeshClient } from '../mesh-client.js';
import { hostOfOrigin } from './authority.js';
import { toLegacyHandler } from './legacy-handler.js';
import type { HttpRequest, HttpResponse, LegacyHandler } from './http-types.js';
import type { RouteRuntime } from '../destination.js';
import { MeshCall } from './mesh-call.js';
import { passthroughHandler } from './passthrough-handler.js';
import type { CallSpan, CallTracing } from './call-span.js';

export interface MeshDispatcherOptions {
  /** Where calls to hosts outside the mesh go; undefined refuses them (`outbound: deny`). */
  readonly passthrough: () => Dispatcher | undefined;
  readonly clock: Clock;
  /** Keeps the process alive while a call is in flight. */
  readonly hold: ProcessHold;
  /** Client spans per logical call; absent when the OpenTelemetry API is not installed. */
  readonly tracing?: CallTracing;
}

/**
 * An undici Dispatcher that runs calls to mesh services through their client stack, so
 * `setGlobalDispatcher(mesh.dispatcher)` puts plain `fetch()` in the mesh.
 *
 * @example
 * setGlobalDispatcher(mesh.dispatcher);
 * await fetch('http://orders/api/orders/42');
 */
export class MeshDispatcher extends Dispatcher {
  readonly #client: MeshClient;
  readonly #opts: MeshDispatcherOptions;
  #closed = false;
  /** The last origin and its host: callers mostly repeat an origin, and parsing it made two strings per call. */
  #lastOrigin = '';
  #lastHost = '';

  constructor(client: MeshClient, opts: MeshDispatcherOptions) {
    super();
    this.#client = client;
    this.#opts = opts;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const legacy = toLegacyHandler(handler);
    if (this.#closed) return fail(legacy, new MeshError('MESH_ERR_CLOSED', 'the mesh is closed'));
    const origin = typeof opts.origin === 'string' ? opts.origin : (opts.origin?.origin ?? '');
    let host = this.#lastHost;
    if (origin !== this.#lastOrigin) {
      host = hostOfOrigin(origin);
      this.#lastOrigin = origin;
      this.#lastHost = host;
    }
    const destination = this.#client.destination(host);
    if (!destination) {
      const passthrough = this.#opts.passthrough();
      if (!passthrough) return fail(legacy, new UnknownServiceError(host));
      return passthrough.dispatch(opts, passthroughHandler(legacy, authorityOfOrigin(origin)));
    }
    if (opts.upgrade) return fail(legacy, new MeshError('MESH_ERR_TRANSPORT', 'upgrade and CONNECT requests are not carried by the mesh client yet'));

    const name = destination.name;
    const req = { opts, authority: host };
    const call = (opts as { [kCallOptions]?: MeshCallOptions })[kCallOptions];
    let route: RouteRuntime;
    let stack: BuiltStack<HttpRequest, HttpResponse>;
    try {
      const invalid = call && invalidCallOptions(call);
      if (invalid) throw new RangeError(invalid);
      route = destination.route(req);
      // A per-call override the layers refuse (attempts: 0, …) is the caller's mistake, not a crash.
      stack = call ? route.variant(variantKey(call), call) : route.stack;
    } catch (err) {
      return fail(legacy, new MeshError('MESH_ERR_BAD_REQUEST', `${name}: ${(err as Error)?.message ?? String(err)}`, { cause: err, service: name }));
    }

    // A call made while serving a request inherits its deadline, cancellation and trace
    // (read once here; the server entered the scope once per request).
    const scope = inboundScope.getStore();
    const cancellation = scope ? new Cancellation(scope.cancellation) : new Cancellation();
    const run = new MeshCall(legacy, cancellation, name, this.#opts.hold, scope !== undefined);
    legacy.onConnect?.(run.abort);
    if (run.answered) return true;
    const clock = this.#opts.clock;
    let deadline = scope ? scope.deadline : Infinity;
    if (call) {
      if (call.timeout !== undefined) deadline = Math.min(deadline, clock.now() + call.timeout);
      if (call.deadline !== undefined) deadline = Math.min(deadline, clock.now() + (call.deadline - Date.now()));
    }
    const tracing = this.#opts.tracing;
    const span: CallSpan | undefined = tracing?.start(req, name, route.name, destination.peerIdentity, scope?.otel);
    const ctx = createCallContext({ service: name, route: route.name, deadline, otel: span === undefined ? scope?.otel : span.ctx }, cancellation);
    const { service, outerTap } = stack;
    const startedAt = outerTap ? clock.now() : 0;
    run.start();
    let p: Promise<HttpResponse>;
    try {
      outerTap?.start?.(req, ctx);
      p = service(req, ctx);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (res: HttpResponse) => {
        outerTap?.response(res, ctx, startedAt, clock.now());
        if (span !== undefined) tracing!.response(span, res);
        run.respond(res);
      },
      (err: unknown) => {
        outerTap?.error(err, ctx, startedAt, clock.now());
        if (span !== undefined) tracing!.error(span, err);
        run.fail(err);
      },
    );
    return true;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.#closed = true;
    if (callback) return void queueMicrotask(callback);
    return Promise.resolve();
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: unknown, b?: unknown): Promise<void> | void {
    this.#closed = true;
    const callback = typeof a === 'function' ? a : typeof b === 'function' ? b : undefined;
    if (callback) return void queueMicrotask(callback as () => void);
    return Promise.resolve();
  }
}

function fail(handler: LegacyHandler, err: Error): boolean {
  // undici delivers dispatch-time errors through the handler, not by throwing; on the next turn
  // of the event loop, as MeshCall.fail does, so a loop of refused calls still lets I/O run.
  setImmediate(() => handler.onError?.(err));
  return false;
}

/** `host:port` of an origin such as `http://127.0.0.1:8080`: what a pass-through error names as its endpoint. */
function authorityOfOrigin(origin: string): string {
  const start = origin.indexOf('://');
  const rest = start < 0 ? origin : origin.slice(start + 3);
  const end = rest.indexOf('/');
  return end < 0 ? rest : rest.slice(0, end);
}
