import { DeadlineExceededError, isMeshError, type CallContext, type Clock, type Layer } from '../core/index.js';
import type { Millis } from '../config/types.js';
import type { DeadlineWheel } from './deadline-wheel.js';

/** The `timeout` slice of a service or route config: the total budget of a logical call, retries included. */
export interface DeadlineOptions {
  readonly timeout: Millis | undefined;
}

export interface DeadlineDeps<Res = unknown> {
  readonly clock: Clock;
  /** Shared by every call of the mesh: one clock timer, not one per call. */
  readonly wheel: DeadlineWheel;
  /**
   * Calls `done` once a response has been consumed completely (HTTP: `res.onDone`): until then
   * the deadline stays armed, so it covers a body streamed after the response. Without it the
   * deadline covers the call up to its response.
   */
  readonly responseDone?: (res: Res, done: () => void) => void;
}

/**
 * The call's deadline: the earlier of the inherited one (`ctx.deadline`, e.g. from an inbound
 * request) and now + `timeout`. Below, `ctx.deadline` carries it (per-try timeouts and the
 * deadline header read it); at the deadline the call's cancellation is cancelled with a
 * `DeadlineExceededError`, which is what the caller then gets (not retryable). A deadline that
 * has already passed fails at once without calling `next`.
 *
 * Layers below must honour `ctx.cancellation` (the transport, retry's backoff and the
 * concurrency queue do): the rejection arrives when the cancelled work stops, not before.
 * With `responseDone` the deadline covers the whole exchange: at expiry during the body the
 * cancellation stops the attempt, whose body then fails with the `DeadlineExceededError`.
 *
 * @example
 * const layer = deadline({ timeout: 2000 }, { clock: systemClock, wheel });
 */
export function deadline<Req, Res>(opts: DeadlineOptions, deps: DeadlineDeps<Res>): Layer<Req, Res> {
  const timeout = opts.timeout;
  if (timeout !== undefined && !(timeout > 0)) throw new RangeError(`deadline: timeout must be a positive number of ms or undefined, got ${timeout}`);
  const { clock, wheel, responseDone } = deps;
  return (next) =>
    function deadline(req: Req, ctx: CallContext): Promise<Res> {
      // Most calls have neither: they pass without a clock read.
      if (timeout === undefined && ctx.deadline === Infinity) return next(req, ctx);
      const now = clock.now();
      let at = ctx.deadline;
      if (timeout !== undefined && now + timeout < at) at = now + timeout;
      if (at === Infinity) return next(req, ctx);
      if (at <= now) return Promise.reject(deadlineError(ctx));
      const c = at === ctx.deadline ? ctx : ctx.with({ deadline: at });
      const entry = wheel.schedule(at, expire, c);
      let p: Promise<Res>;
      try {
        p = next(req, c);
      } catch (err) {
        wheel.cancel(entry);
        return Promise.reject(err);
      }
      return p.then(
        (res) => {
          if (responseDone) responseDone(res, () => wheel.cancel(entry));
          else wheel.cancel(entry);
          return res;
        },
        (err: unknown) => {
          wheel.cancel(entry);
          const cancellation = c.cancellation;
          // Whatever the layers below made of the cancellation, the caller sees the deadline.
          throw cancellation.cancelled && isDeadlineExceeded(cancellation.reason) ? cancellation.reason : err;
        },
      );
    };
}

/** The error for a deadline that passed while the call (or attempt) in `ctx` was under way. */
export function deadlineError(ctx: CallContext): DeadlineExceededError {
  return new DeadlineExceededError(`${ctx.service}: deadline exceeded`, { service: ctx.service, attempt: ctx.attempt });
}

function expire(ctx: CallContext): void {
  ctx.cancellation.cancel(deadlineError(ctx));
}

/**
 * True for a deadline error. (`instanceof` on a MeshError subclass matches any MeshError,
 * since the brand check is inherited: compare codes instead.)
 */
export function isDeadlineExceeded(x: unknown): x is DeadlineExceededError {
  return isMeshError(x) && x.code === 'MESH_ERR_DEADLINE_EXCEEDED';
}
