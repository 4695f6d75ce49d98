import type { CallContext, Clock, Layer, Service } from '../core/index.js';
import type { RetryBudget } from './retry-budget.js';

/** What the requeue layer needs of a protocol: which failures left the request unprocessed. */
export interface RequeuePolicy<Req> {
  /** Why `err` proves `req` was never processed and may be sent again (metrics' reason), or undefined. */
  requeueable(err: unknown, req: Req): string | undefined;
  /** The endpoint that failed, which the next try avoids. */
  endpointOf(err: unknown): string | undefined;
}

export interface RequeueDeps<Req> {
  readonly clock: Clock;
  /** The destination's retry budget: requeues draw on it as retries do. */
  readonly budget: RetryBudget;
  readonly policy: RequeuePolicy<Req>;
  /** Re-sends per try at most. */
  readonly maxRequeues: number;
  /** Deposit once per call: true when no retry layer above does it. */
  readonly deposit: boolean;
  readonly onRequeue?: (reason: string) => void;
  readonly onBudgetExhausted?: () => void;
}

/**
 * Sends a request again when its failure shows it never reached the application (Finagle's
 * requeues): the policy names such failures, the shared retry budget bounds them, so an outage
 * cannot multiply load, and each re-send avoids the endpoint that failed. It runs whatever the
 * retry policy says, since such a re-send is not a retry of work the server did. A call that was
 * cancelled or is past its deadline is not sent again.
 *
 * Sits directly above the balancer, so each re-send picks an endpoint again.
 *
 * @example
 * const layer = requeue({ clock, budget, policy: httpRequeuePolicy, maxRequeues: 2, deposit: true });
 */
export function requeue<Req, Res>(deps: RequeueDeps<Req>): Layer<Req, Res> {
  const { clock, budget, policy, maxRequeues, deposit, onRequeue, onBudgetExhausted } = deps;
  if (!Number.isInteger(maxRequeues) || maxRequeues < 0) throw new RangeError(`requeue: maxRequeues must be a non-negative integer, got ${maxRequeues}`);
  return (next: Service<Req, Res>) => {
    const send = (req: Req, ctx: CallContext, n: number): Promise<Res> => {
      let p: Promise<Res>;
      try {
        p = next(req, ctx);
      } catch (err) {
        p = Promise.reject(err);
      }
      return n >= maxRequeues ? p : p.catch((err: unknown) => again(err, req, ctx, n));
    };

    const again = (err: unknown, req: Req, ctx: CallContext, n: number): Promise<Res> => {
      if (ctx.cancellation.cancelled || clock.now() >= ctx.deadline) throw err;
      const reason = policy.requeueable(err, req);
      if (reason === undefined) throw err;
      if (!budget.tryWithdraw()) {
        onBudgetExhausted?.();
        throw err;
      }
      onRequeue?.(reason);
      return send(req, ctx.with({ avoid: policy.endpointOf(err), resend: `requeue-${reason}` }), n + 1);
    };

    return function requeue(req: Req, ctx: CallContext): Promise<Res> {
      if (deposit) budget.deposit();
      return send(req, ctx, 0);
    };
  };
}
