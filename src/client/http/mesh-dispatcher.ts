import { Dispatcher } from 'undici';
import { Cancellation, createCallContext, inboundScope, MeshError, UnknownServiceError, type Clock } from '../../core/index.js';
import { kCallOptions, variantKey, type MeshCallOptions } from '../call-options.js';
import type { MeshClient } from '../mesh-client.js';
import { hostOfOrigin } from './authority.js';
import { toLegacyHandler } from './legacy-handler.js';
import type { HttpResponse, LegacyHandler } from './http-types.js';

export interface MeshDispatcherOptions {
  /** Where calls to hosts outside the mesh go; undefined refuses them (`outbound: deny`). */
  readonly passthrough: () => Dispatcher | undefined;
  readonly clock: Clock;
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

  constructor(client: MeshClient, opts: MeshDispatcherOptions) {
    super();
    this.#client = client;
    this.#opts = opts;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const legacy = toLegacyHandler(handler);
    if (this.#closed) return fail(legacy, new MeshError('MESH_ERR_CLOSED', 'the mesh is closed'));
    const origin = typeof opts.origin === 'string' ? opts.origin : (opts.origin?.origin ?? '');
    const host = hostOfOrigin(origin);
    const destination = this.#client.destination(host);
    if (!destination) {
      const passthrough = this.#opts.passthrough();
      if (!passthrough) return fail(legacy, new UnknownServiceError(host));
      return passthrough.dispatch(opts, handler);
    }
    if (opts.upgrade) return fail(legacy, new MeshError('MESH_ERR_TRANSPORT', 'upgrade and CONNECT requests are not carried by the mesh client yet'));

    // A call made while serving a request inherits its deadline, cancellation and trace
    // (read once here; the server entered the scope once per request).
    const scope = inboundScope.getStore();
    const cancellation = scope ? new Cancellation(scope.cancellation) : new Cancellation();
    legacy.onConnect?.((reason) => cancellation.cancel(reason ?? new MeshError('MESH_ERR_CANCELLED', 'call cancelled')));
    if (cancellation.cancelled) return true;
    const req = { opts, authority: host };
    const route = destination.route(req);
    const call = (opts as { [kCallOptions]?: MeshCallOptions })[kCallOptions];
    const clock = this.#opts.clock;
    let deadline = scope ? scope.deadline : Infinity;
    if (call) {
      if (call.timeout !== undefined) deadline = Math.min(deadline, clock.now() + call.timeout);
      if (call.deadline !== undefined) deadline = Math.min(deadline, clock.now() + (call.deadline - Date.now()));
    }
    const ctx = createCallContext({ service: destination.name, route: route.name, deadline, otel: scope?.otel }, cancellation);
    const { service, outerTap } = call ? route.variant(variantKey(call), call) : route.stack;
    const startedAt = outerTap ? clock.now() : 0;
    outerTap?.start?.(req, ctx);
    service(req, ctx).then(
      (res: HttpResponse) => {
        outerTap?.response(res, ctx, startedAt, clock.now());
        if (scope) cancellation.release();
        res.deliver(legacy);
      },
      (err: unknown) => {
        outerTap?.error(err, ctx, startedAt, clock.now());
        if (scope) cancellation.release();
        legacy.onError?.(err as Error);
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
  // undici delivers dispatch-time errors through the handler, not by throwing.
  queueMicrotask(() => handler.onError?.(err));
  return false;
}
