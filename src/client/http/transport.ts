import type { Dispatcher, Pool } from 'undici';
import { withOptions } from './dispatch-options.js';
import { MAX_TIMER_MS, MeshHeaders, type CallContext, type Clock, type Service, type Tap, type TapLeaf } from '../../core/index.js';
import { setHeader } from './set-header.js';
import { AttemptHandler } from './attempt-handler.js';
import type { HttpRequest, HttpResponse } from './http-types.js';

/**
 * The leaf of an endpoint's stack: one attempt on the endpoint's undici Pool (read per call,
 * since the endpoint makes it on first use). Taps directly above it (load tracking, endpoint
 * metrics) run inside the attempt's handler, with no promise continuation of their own.
 */
/** How often a call with no deadline asks an endpoint for its load report (the server's own per-connection rate). */
const CALLER_MARK_INTERVAL_MS = 100;

export function transport(pools: { readonly pool: Pool }, address: string, clock: Clock): TapLeaf<HttpRequest, HttpResponse> {
  const now = () => clock.now();
  /**
   * A call with no deadline carries the mesh-caller mark (which asks the server for its load
   * report) at most once per interval on this endpoint: the server reports at most that often per
   * connection anyway, and a header on every call costs undici's header processing on every call.
   */
  let markedAt = -Infinity;
  /**
   * The options for this attempt: the caller's, plus the remaining budget when the call has a
   * deadline (capped at what a timer can wait, and always in plain digits), or the mark when due.
   */
  const optionsFor = (req: HttpRequest, ctx: CallContext, at: number): Dispatcher.DispatchOptions => {
    if (ctx.deadline !== Infinity) return withOptions(req.opts, { headers: setHeader(req.opts.headers, MeshHeaders.deadline, String(Math.min(MAX_TIMER_MS, Math.max(0, Math.floor(ctx.deadline - at))))) });
    if (at - markedAt < CALLER_MARK_INTERVAL_MS) return req.opts;
    markedAt = at;
    return withOptions(req.opts, { headers: setHeader(req.opts.headers, MeshHeaders.caller, '1') });
  };
  const plain: Service<HttpRequest, HttpResponse> = function transport(req, ctx) {
    return new Promise<HttpResponse>((resolve, reject) => {
      pools.pool.dispatch(optionsFor(req, ctx, clock.now()), new AttemptHandler(address, ctx, resolve, reject) as never);
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
