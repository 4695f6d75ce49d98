import { Role, type LayerModule } from '../../core/index.js';
import { withOptions } from '../http/dispatch-options.js';
import type { HedgeConfig, RetryConfig } from '../../config/types.js';
import { IDEMPOTENT_METHODS } from '../../config/normalize-route.js';
import { DEFAULT_HEDGE_MAX_ATTEMPTS } from '../../config/defaults.js';
import { concurrencyLimit, deadline, fault, hedge, perTryTimeout, requeue, retry } from '../../resilience/index.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import { HttpRetryPolicy } from '../http/http-retry-policy.js';
import { httpRequeuePolicy } from '../http/http-requeue-policy.js';
import { SyntheticResponse } from '../http/synthetic-response.js';
import { bufferBody, isReplayable } from '../http/replayable-body.js';
import type { ClientParams } from '../client-params.js';
import type { ClientEnv } from '../client-env.js';

/*
 * The resilience layers are generic over Service<Req, Res>; these modules give each its slice
 * of the route's config (route over service, per-call overrides over both) and the HTTP
 * policies it needs. A module whose config is absent returns undefined and is skipped.
 */

const responseDone = (res: HttpResponse, done: () => void) => res.onDone(() => done());

/** The retry policy in force: the route's (already merged over the service's), then a per-call override. */
export function effectiveRetry(p: ClientParams): RetryConfig | undefined {
  const base = p.route?.retries ?? p.service.retries;
  const o = p.overrides?.retry;
  if (o === false) return undefined;
  const cfg = o ? { ...base, ...o, backoff: { ...base.backoff, ...o.backoff } } : base;
  return cfg.attempts > 1 ? cfg : undefined;
}

/** A per-call `hedge: {}` on a route without a hedge policy needs a delay; mesh.yaml always gives one. */
const PER_CALL_HEDGE_DELAY_MS = 50;

export function effectiveHedge(p: ClientParams): HedgeConfig | undefined {
  const o = p.overrides?.hedge;
  if (o === false) return undefined;
  const base = p.route?.hedge;
  if (!o) return base;
  return { delay: o.delay ?? base?.delay ?? PER_CALL_HEDGE_DELAY_MS, maxAttempts: o.maxAttempts ?? base?.maxAttempts ?? DEFAULT_HEDGE_MAX_ATTEMPTS };
}

export const deadlineModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.Deadline,
  description: 'total budget of the call, retries included; also enforces deadlines inherited from the request being served',
  layer: (p, env) => deadline<HttpRequest, HttpResponse>({ timeout: p.route?.timeout ?? p.service.timeout }, { ...env, responseDone }),
};

export const faultModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.Fault,
  description: 'injected delays and aborts; above retry, so an injected abort is not retried (as in Envoy)',
  layer: (p, env) => (p.route?.fault ? fault<HttpRequest, HttpResponse>(p.route.fault, { ...env, abort: (status) => new SyntheticResponse(status, 'fault injected', { 'inmesh-fault': 'abort' }) }) : undefined),
};

export const concurrencyModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.ConcurrencyLimit,
  description: 'max calls in flight and waiting per service; above retry, so a logical call holds one slot',
  layer: (p) => (p.policy.limiter ? concurrencyLimit<HttpRequest, HttpResponse>(p.policy.limiter) : undefined),
};

export const serviceBreakerModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.ServiceBreaker,
  description: "the service-wide guard: fails fast, above retry, when every endpoint's breaker is open",
  layer(p) {
    if (!p.service.circuitBreaker) return undefined;
    const policy = p.policy;
    return (next) =>
      function serviceBreaker(req: HttpRequest, ctx) {
        const open = policy.serviceCircuitOpen();
        return open ? Promise.reject(open) : next(req, ctx);
      };
  },
};

export const retryModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.Retry,
  description: 'retries under the shared budget; above the balancer so each retry can pick another endpoint',
  layer(p, env) {
    const cfg = effectiveRetry(p);
    if (!cfg) return undefined;
    const labels = { destination_service: p.name, route: p.routeName };
    const layer = retry<HttpRequest, HttpResponse>(cfg, {
      clock: env.clock,
      random: env.random,
      budget: p.policy.budget,
      policy: new HttpRetryPolicy(cfg),
      onRetry: (reason) => env.metrics.retries.inc({ ...labels, reason }),
      onBudgetExhausted: () => env.metrics.retryBudgetExhausted.inc(labels),
    });
    const maxBodyBytes = cfg.maxBodyBytes;
    return (next) => {
      const inner = layer(next);
      return function retryWithReplay(req: HttpRequest, ctx) {
        if (isReplayable(req.opts.body)) return inner(req, ctx);
        // A streamed body is read into memory first (up to maxBodyBytes) so a retry can resend it.
        return bufferBody(req.opts.body, maxBodyBytes, ctx.cancellation).then(({ body }) => inner({ ...req, opts: withOptions(req.opts, { body }) }, ctx));
      };
    };
  },
};

export const hedgeModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.Hedge,
  description: 'hedged attempts for idempotent calls; below retry, each hedge picks its own endpoint',
  layer(p, env) {
    const cfg = effectiveHedge(p);
    if (!cfg) return undefined;
    const labels = { destination_service: p.name, route: p.routeName };
    const layer = hedge<HttpRequest, HttpResponse>(cfg, {
      clock: env.clock,
      wheel: env.wheel,
      policy: new HttpRetryPolicy({ on: [], retryNonIdempotent: false }),
      responseDone,
      onHedge: () => env.metrics.hedges.inc(labels),
    });
    return (next) => {
      const hedged = layer(next);
      return function hedgeIdempotent(req: HttpRequest, ctx) {
        return IDEMPOTENT_METHODS.has(req.opts.method) && isReplayable(req.opts.body) ? hedged(req, ctx) : next(req, ctx);
      };
    };
  },
};

export const perTryTimeoutModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.PerTryTimeout,
  description: 'a time limit per attempt, within the deadline; below retry so a slow attempt can be retried',
  layer(p, env) {
    const perTry = p.route?.perTryTimeout ?? p.service.perTryTimeout;
    return perTry === undefined ? undefined : perTryTimeout<HttpRequest, HttpResponse>({ perTryTimeout: perTry }, { ...env, responseDone });
  },
};

/** Re-sends per try: enough for a pool whose idle connections a server closed all at once, few enough that a dead endpoint costs little. */
const MAX_REQUEUES = 2;

export const requeueModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.Requeue,
  description: 'sends again, under the retry budget and with retries off too, a request that never reached the application; just above the balancer, so each re-send picks again',
  layer(p, env) {
    const labels = { destination_service: p.name, route: p.routeName };
    return requeue<HttpRequest, HttpResponse>({
      clock: env.clock,
      budget: p.policy.budget,
      policy: httpRequeuePolicy,
      maxRequeues: MAX_REQUEUES,
      // The retry layer deposits for the call when it is there; a call must deposit only once.
      deposit: effectiveRetry(p) === undefined,
      onRequeue: (reason) => env.metrics.retries.inc({ ...labels, reason: `requeue-${reason}` }),
      onBudgetExhausted: () => env.metrics.retryBudgetExhausted.inc(labels),
    });
  },
};
