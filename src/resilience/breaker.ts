import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { CircuitOpenError, MAX_TIMER_MS, isMeshError, type CallContext, type Layer, type Service } from '../core/index.js';
import type { CircuitBreakerConfig } from '../config/types.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerDeps<Res> {
  /** A response that counts as a failure (HTTP: a 5xx). It is still returned to the caller. */
  readonly isFailure: (res: Res) => boolean;
  /**
   * A rejection that says nothing of the endpoint's health and is not counted. Default: the
   * call's own cancellation (`MESH_ERR_CANCELLED`: the caller gave up or a hedge lost).
   */
  readonly ignoreError?: (err: unknown, ctx: CallContext) => boolean;
  readonly onStateChange?: (state: BreakerState) => void;
  /** The endpoint address, for errors. */
  readonly endpoint?: string;
  /**
   * An EventEmitter whose `rotate` event turns the rolling window of every breaker that shares
   * it (opossum's rotateBucketController): one interval for all endpoints instead of one each.
   * Without it each breaker keeps an unref'd interval of its own.
   */
  readonly rotateBuckets?: EventEmitter;
}

/** Wraps a response counted as a failure, so that opossum sees a rejection; unwrapped before the caller. Not an Error: no stack to capture. */
class FailedResponse<Res> {
  readonly res: Res;
  constructor(res: Res) {
    this.res = res;
  }
}

type Action<Req, Res> = (next: Service<Req, Res>, req: Req, ctx: CallContext) => Promise<Res>;

/**
 * A circuit breaker for one endpoint, over opossum (with `timeout: false`: deadlines own time,
 * and `rollingPercentilesEnabled: false`). It opens when, with at least `volumeThreshold` calls
 * in the rolling window, more than `errorThresholdPercentage` of them failed; after
 * `resetTimeout` it lets one probe through (half-open), which closes it on success or opens it
 * again on failure. opossum reads the global timers and `Date.now`, not the mesh Clock.
 *
 * @example
 * const b = new EndpointBreaker(cfg.circuitBreaker, { isFailure: (res) => res.statusCode >= 500 });
 * endpoint.status = () => b.status();
 */
export class EndpointBreaker<Req, Res> {
  readonly #cb: CircuitBreaker<Parameters<Action<Req, Res>>, Res>;
  readonly #endpoint: string | undefined;

  constructor(cfg: CircuitBreakerConfig, deps: BreakerDeps<Res>) {
    validateBreakerConfig(cfg);
    const { isFailure, onStateChange } = deps;
    const ignoreError = deps.ignoreError ?? isCancellation;
    this.#endpoint = deps.endpoint;
    const check = (res: Res): Res | Promise<never> => (isFailure(res) ? Promise.reject(new FailedResponse(res)) : res);
    const action: Action<Req, Res> = (next, req, ctx) => next(req, ctx).then(check);
    this.#cb = new CircuitBreaker(action, {
      timeout: false,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      errorThresholdPercentage: cfg.errorThresholdPercentage,
      volumeThreshold: cfg.volumeThreshold,
      // opossum arms Node's timer itself, which turns anything longer into 1 ms (a breaker that never stays open).
      resetTimeout: Math.min(cfg.resetTimeout, MAX_TIMER_MS),
      rollingCountTimeout: cfg.rollingCountTimeout,
      rollingCountBuckets: 10,
      rotateBucketController: deps.rotateBuckets,
      // Ignored errors count as successes in opossum, which would close a half-open breaker
      // on a cancelled probe: while half-open every error counts.
      errorFilter: (err: unknown, _next: unknown, _req: unknown, ctx: CallContext) =>
        !(err instanceof FailedResponse) && !this.#cb.halfOpen && ignoreError(err, ctx),
    } as CircuitBreaker.Options<Parameters<Action<Req, Res>>>);
    if (onStateChange) {
      this.#cb.on('open', () => onStateChange('open'));
      this.#cb.on('halfOpen', () => onStateChange('half-open'));
      this.#cb.on('close', () => onStateChange('closed'));
    }
  }

  get state(): BreakerState {
    const cb = this.#cb;
    return cb.opened ? 'open' : cb.halfOpen ? 'half-open' : 'closed';
  }

  /** For the balancer: `busy` while open, and while half-open with its probe in flight. */
  status(): 'open' | 'busy' {
    const cb = this.#cb;
    return cb.closed || cb.pendingClose ? 'open' : 'busy';
  }

  /** Runs `next` under the breaker; an open breaker rejects with `CircuitOpenError` without calling it. */
  call(next: Service<Req, Res>, req: Req, ctx: CallContext): Promise<Res> {
    const cb = this.#cb;
    if (!cb.closed && !cb.pendingClose) return Promise.reject(this.#openError(ctx));
    return cb.fire(next, req, ctx).then(undefined, unwrap<Res>);
  }

  /** Stops opossum's timers; calls after this reject with `CircuitOpenError`. */
  shutdown(): void {
    this.#cb.shutdown();
  }

  #openError(ctx: CallContext): CircuitOpenError {
    const where = this.#endpoint ? `${ctx.service} at ${this.#endpoint}` : ctx.service;
    return new CircuitOpenError(`${where}: circuit open`, { service: ctx.service, endpoint: this.#endpoint, attempt: ctx.attempt });
  }
}

/** A layer with the breaker it runs, so the endpoint can report `status()` and close it. */
export type BreakerLayer<Req, Res> = Layer<Req, Res> & { readonly breaker: EndpointBreaker<Req, Res> };

/**
 * The per-endpoint breaker as a layer. Responses for which `isFailure` holds (5xx) count as
 * failures and are still returned; an open breaker rejects with `CircuitOpenError` (rejected,
 * retryable: safe to send elsewhere) without calling `next`.
 *
 * @example
 * const layer = breaker(cfg.circuitBreaker, { isFailure: (res) => res.statusCode >= 500, endpoint: '10.0.0.1:80' });
 * layer.breaker.status();
 */
export function breaker<Req, Res>(cfg: CircuitBreakerConfig, deps: BreakerDeps<Res>): BreakerLayer<Req, Res> {
  const b = new EndpointBreaker<Req, Res>(cfg, deps);
  const layer = (next: Service<Req, Res>): Service<Req, Res> =>
    function breaker(req, ctx) {
      return b.call(next, req, ctx);
    };
  return Object.assign(layer, { breaker: b });
}

function unwrap<Res>(err: unknown): Res {
  if (err instanceof FailedResponse) return err.res as Res;
  throw err;
}

function isCancellation(err: unknown): boolean {
  return isMeshError(err) && err.code === 'MESH_ERR_CANCELLED';
}

export function validateBreakerConfig(cfg: CircuitBreakerConfig): void {
  if (!(cfg.errorThresholdPercentage >= 0 && cfg.errorThresholdPercentage <= 100))
    throw new RangeError(`breaker: errorThresholdPercentage must be between 0 and 100, got ${cfg.errorThresholdPercentage}`);
  if (!Number.isInteger(cfg.volumeThreshold) || cfg.volumeThreshold < 0) throw new RangeError(`breaker: volumeThreshold must be a non-negative integer, got ${cfg.volumeThreshold}`);
  if (!(cfg.resetTimeout > 0) || !Number.isFinite(cfg.resetTimeout)) throw new RangeError(`breaker: resetTimeout must be a positive number of ms, got ${cfg.resetTimeout}`);
  if (!(cfg.rollingCountTimeout >= 10) || !Number.isFinite(cfg.rollingCountTimeout))
    throw new RangeError(`breaker: rollingCountTimeout must be at least 10 ms, got ${cfg.rollingCountTimeout}`);
}
