import type { Dispatcher, Pool } from 'undici';
import { MAX_TIMER_MS, MeshHeaders, type CallContext, type Clock, type Service, type Tap, type TapLeaf } from '../../core/index.js';
import { setHeader } from './set-header.js';
import { AttemptHandler } from './attempt-handler.js';
import type { HttpRequest, HttpResponse } from './http-types.js';

/**
 * The leaf of an endpoint's stack: one attempt on the endpoint's undici Pool (read per call,
 * since the endpoint makes it on first use). Taps directly above it (load tracking, endpoint
 * metrics) run inside the attempt's handler, with no promise continuation of their own.
 */
export function transport(pools: { readonly pool: Pool }, address: string, clock: Clock): TapLeaf<HttpRequest, HttpResponse> {
  const now = () => clock.now();
  /**
   * The options for this attempt: the caller's, plus the remaining budget when the call has a
   * deadline (capped at what a timer can wait, and always in plain digits), or, with no deadline,
   * the mesh-caller mark.
   */
  const optionsFor = (req: HttpRequest, ctx: CallContext, at: number): Dispatcher.DispatchOptions =>
    ctx.deadline === Infinity
      ? { ...req.opts, headers: setHeader(req.opts.headers, MeshHeaders.caller, '1') }
      : { ...req.opts, headers: setHeader(req.opts.headers, MeshHeaders.deadline, String(Math.min(MAX_TIMER_MS, Math.max(0, Math.floor(ctx.deadline - at))))) };
  const plain: Service<HttpRequest, HttpResponse> = function transport(req, ctx) {
    return new Promise<HttpResponse>((resolve, reject) => {
      pools.pool.dispatch(optionsFor(req, ctx, ctx.deadline === Infinity ? 0 : clock.now()), new AttemptHandler(address, ctx, resolve, reject) as never);
    });
  };
  return Object.assign(plain, {
    withTap(tap: Tap<HttpRequest, HttpResponse>): Service<HttpRequest, HttpResponse> {
      return function tappedTransport(req, ctx) {
        const startedAt = clock.now();
        tap.start?.(req, ctx);
        return new Promise<HttpResponse>((resolve, reject) => {
          pools.pool.dispatch(optionsFor(req, ctx, startedAt), new AttemptHandler(address, ctx, resolve, reject, tap as Tap<unknown, HttpResponse>, startedAt, now) as never);
        });
      };
    },
  });
}
