import { Cancellation, PerTryTimeoutError, type CallContext, type Clock, type Layer } from '../core/index.js';
import type { Millis } from '../config/types.js';
import type { DeadlineWheel } from './deadline-wheel.js';
import { deadlineError } from './deadline.js';

/** The `perTryTimeout` slice of a service or route config. */
export interface PerTryTimeoutOptions {
  readonly perTryTimeout: Millis | undefined;
}

export interface PerTryTimeoutDeps<Res> {
  readonly clock: Clock;
  readonly wheel: DeadlineWheel;
  /**
   * Calls `done` once a response has been consumed completely (HTTP: `res.onDone`). Until then
   * the attempt's cancellation keeps following the call's, so that a caller who cancels while
   * the body streams still stops the attempt. Without it a successful attempt stays linked to
   * the call's cancellation for the call's lifetime (harmless for a per-call cancellation).
   */
  readonly responseDone?: (res: Res, done: () => void) => void;
}

/**
 * Gives each call through it (each attempt: it sits below retry) its own child cancellation,
 * cancelled at min(now + perTryTimeout, ctx.deadline). A per-try timeout cancels only the
 * attempt, with a retryable `PerTryTimeoutError` (a `TransportError` of kind `timeout`); when
 * the call's deadline comes first, the attempt gets the `DeadlineExceededError` instead.
 * The attempt's `ctx.deadline` is its own, so the deadline sent downstream is the attempt's.
 *
 * @example
 * const layer = perTryTimeout({ perTryTimeout: 500 }, { clock: systemClock, wheel });
 */
export function perTryTimeout<Req, Res>(opts: PerTryTimeoutOptions, deps: PerTryTimeoutDeps<Res>): Layer<Req, Res> {
  const perTry = opts.perTryTimeout;
  if (perTry === undefined) return (next) => next;
  if (!(perTry > 0) || !Number.isFinite(perTry)) throw new RangeError(`perTryTimeout: must be a positive number of ms or undefined, got ${perTry}`);
  const { clock, wheel, responseDone } = deps;
  const expireTry = (ctx: CallContext): void => {
    ctx.cancellation.cancel(
      new PerTryTimeoutError(`${ctx.service}: attempt ${ctx.attempt} timed out after ${perTry}ms`, { service: ctx.service, attempt: ctx.attempt }),
    );
  };
  return (next) =>
    function perTryTimeout(req: Req, ctx: CallContext): Promise<Res> {
      const now = clock.now();
      const byDeadline = ctx.deadline <= now + perTry;
      const at = byDeadline ? ctx.deadline : now + perTry;
      if (at <= now) return Promise.reject(deadlineError(ctx));
      const child = new Cancellation(ctx.cancellation);
      const attemptCtx = ctx.with({ cancellation: child, deadline: at });
      const entry = wheel.schedule(at, byDeadline ? expireAtDeadline : expireTry, attemptCtx);
      let p: Promise<Res>;
      try {
        p = next(req, attemptCtx);
      } catch (err) {
        wheel.cancel(entry);
        child.release();
        return Promise.reject(err);
      }
      return p.then(
        (res) => {
          wheel.cancel(entry);
          if (responseDone) responseDone(res, () => child.release());
          return res;
        },
        (err: unknown) => {
          wheel.cancel(entry);
          child.release();
          // Cancelled here (by the timer) and not by the caller: the attempt's own reason wins.
          throw child.cancelled && !ctx.cancellation.cancelled ? child.reason : err;
        },
      );
    };
}

function expireAtDeadline(ctx: CallContext): void {
  ctx.cancellation.cancel(deadlineError(ctx));
}
