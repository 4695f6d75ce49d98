import type { CallContext, Clock, Layer, Random, Service } from '../core/index.js';
import type { RetryConfig } from '../config/types.js';
import { backoffDelay, validateBackoff } from './backoff.js';
import type { RetryBudget } from './retry-budget.js';
import { sleep } from './sleep.js';

/**
 * The longest a retry waits, whatever a server's `retry-after` asks: beyond it the caller gets the
 * response that asked, at once, rather than a call held for minutes (or, past 2³¹−1 ms, a timer
 * that Node fires after 1 ms). A call's deadline, when it has one, bounds the wait further.
 */
export const MAX_RETRY_WAIT_MS = 60_000;

/** How one attempt ended: a response (any status) or a rejection. */
export type Outcome<Res> = { readonly res: Res } | { readonly err: unknown };

export type RetryDecision =
  | { readonly retry: false }
  | {
      readonly retry: true;
      /** Why, in the words of metrics and logs (`503`, `connect-failure`, …). */
      readonly reason: string;
      /** Do not retry sooner than this many ms from now (a `retry-after`); the backoff may wait longer. */
      readonly notBefore?: number;
    };

/**
 * What the retry layer needs to know of a protocol: the client injects it (HTTP statuses and
 * bodies, gRPC codes), so the layer stays generic.
 */
export interface RetryPolicy<Req, Res> {
  /** Decides after each attempt; called for every outcome, so keep it cheap and allocation-free for `{ retry: false }`. */
  classify(outcome: Outcome<Res>, req: Req, ctx: CallContext): RetryDecision;
  /** The endpoint that produced the outcome, if known: the next attempt avoids it. */
  endpointOf(outcome: Outcome<Res>): string | undefined;
  /**
   * The request to send as attempt `attempt` (2 for the first retry; the first attempt sends
   * `req` itself), from the original `req`; undefined if it cannot be sent again (a streamed body).
   */
  prepare(req: Req, attempt: number): Req | undefined;
  /** Releases a response that will not reach the caller (HTTP: drain or abort its body). */
  discard(res: Res): void;
}

export interface RetryDeps<Req, Res> {
  readonly clock: Clock;
  readonly random: Random;
  /** Shared by every call to the destination. */
  readonly budget: RetryBudget;
  readonly policy: RetryPolicy<Req, Res>;
  /** A retry is about to wait and go (metrics: `inmesh_retries_total{reason}`). */
  readonly onRetry?: (reason: string) => void;
  /** A retry was refused by the budget; the caller gets the original outcome. */
  readonly onBudgetExhausted?: () => void;
}

/**
 * Retries a logical call per `policy`, within `cfg.attempts`, the shared retry `budget`, the
 * call's deadline and MAX_RETRY_WAIT_MS, waiting a jittered exponential backoff (or the policy's `notBefore`, if
 * longer) on the Clock between attempts. Each retry runs with `attempt` + 1 and `avoid` set to
 * the endpoint that failed, so the balancer picks another. When a retry is refused (budget
 * spent, attempts used up, no time left, a request that cannot be replayed, or the caller
 * cancelled) the caller gets the last attempt's own outcome, response or error. A response
 * that is retried is discarded through `policy.discard`.
 *
 * Sits above the balancer and the per-try timeout, below the deadline.
 *
 * @example
 * const layer = retry(cfg.retries, { clock, random, budget: RetryBudget.fromConfig(cfg.retries, clock), policy: httpRetryPolicy });
 */
export function retry<Req, Res>(cfg: RetryConfig, deps: RetryDeps<Req, Res>): Layer<Req, Res> {
  if (!Number.isInteger(cfg.attempts) || cfg.attempts < 1) throw new RangeError(`retry: attempts must be an integer of at least 1, got ${cfg.attempts}`);
  validateBackoff(cfg.backoff, 'retry');
  if (cfg.attempts === 1) return (next) => next;
  const { clock, random, budget, policy, onRetry, onBudgetExhausted } = deps;
  const maxAttempts = cfg.attempts;
  const backoff = cfg.backoff;

  return (next: Service<Req, Res>) => {
    /** Runs attempt `n` of the call whose original request is `req` and whose context is `ctx`. */
    const attempt = (req: Req, sent: Req, ctx: CallContext, attemptCtx: CallContext, n: number): Promise<Res> => {
      let p: Promise<Res>;
      try {
        p = next(sent, attemptCtx);
      } catch (err) {
        p = Promise.reject(err);
      }
      return p.then(
        (res) => after({ res }, req, ctx, attemptCtx, n),
        (err: unknown) => after({ err }, req, ctx, attemptCtx, n),
      );
    };

    const after = (outcome: Outcome<Res>, req: Req, ctx: CallContext, attemptCtx: CallContext, n: number): Res | Promise<Res> => {
      const decision = policy.classify(outcome, req, attemptCtx);
      if (!decision.retry || n >= maxAttempts || ctx.cancellation.cancelled) return settle(outcome);
      const delay = Math.max(backoffDelay(n, backoff, random), decision.notBefore ?? 0);
      // `!(<=)` also refuses a NaN wait.
      if (!(delay <= MAX_RETRY_WAIT_MS) || clock.now() + delay >= ctx.deadline) return settle(outcome);
      const sent = policy.prepare(req, n + 1);
      if (sent === undefined) return settle(outcome);
      if (!budget.tryWithdraw()) {
        onBudgetExhausted?.();
        return settle(outcome);
      }
      if ('res' in outcome) policy.discard(outcome.res);
      onRetry?.(decision.reason);
      const retryCtx = ctx.with({ attempt: n + 1, avoid: policy.endpointOf(outcome), resend: decision.reason });
      if (delay <= 0) return attempt(req, sent, ctx, retryCtx, n + 1);
      return sleep(clock, delay, ctx.cancellation).then(() => attempt(req, sent, ctx, retryCtx, n + 1));
    };

    return function retry(req: Req, ctx: CallContext): Promise<Res> {
      budget.deposit();
      return attempt(req, req, ctx, ctx, 1);
    };
  };
}

/** The caller's view of an outcome: the response, or the error thrown again. */
export function settle<Res>(outcome: Outcome<Res>): Res {
  if ('res' in outcome) return outcome.res;
  throw outcome.err;
}
