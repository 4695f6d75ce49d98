import { EventEmitter } from 'node:events';
import type { TimerHandle } from '../core/index.js';
import type { CircuitBreakerConfig, ServiceConfig } from '../config/types.js';
import { ConcurrencyLimiter, EndpointBreaker, OutlierDetector, RetryBudget } from '../resilience/index.js';
import type { HttpRequest, HttpResponse } from './http/http-types.js';
import type { ClientEnv } from './client-env.js';

const isServerError = (res: HttpResponse) => res.statusCode >= 500;
/** opossum's rolling window is 10 buckets; one clock loop turns them for all breakers of the destination. */
const BUCKETS = 10;

/**
 * Policy state one destination shares across its routes, endpoints and reloads: the retry
 * budget (one per service in the process, as Finagle and Linkerd have it), the concurrency
 * limit, outlier detection, the service-wide breaker, and the clock that turns every
 * breaker's rolling window. A reload that leaves a part's config unchanged keeps its state.
 */
export class DestinationPolicy {
  #cfg: ServiceConfig;
  readonly #env: ClientEnv;
  budget!: RetryBudget;
  limiter: ConcurrencyLimiter | undefined;
  outlier: OutlierDetector | undefined;
  serviceBreaker: EndpointBreaker<HttpRequest, HttpResponse> | undefined;
  /** Shared by all breakers of the destination: one timer instead of one per endpoint. */
  readonly rotateBuckets = new EventEmitter();
  #rotateTimer: TimerHandle | undefined;
  #rotateEvery = 0;
  #hosts: readonly string[] = [];

  constructor(cfg: ServiceConfig, env: ClientEnv) {
    this.#cfg = cfg;
    this.#env = env;
    this.rotateBuckets.setMaxListeners(0);
    this.#apply(undefined, cfg);
  }

  get config(): ServiceConfig {
    return this.#cfg;
  }

  reconfigure(cfg: ServiceConfig): void {
    const old = this.#cfg;
    this.#cfg = cfg;
    this.#apply(old, cfg);
  }

  endpointsChanged(addresses: readonly string[]): void {
    this.#hosts = addresses;
    this.outlier?.setHosts(addresses);
  }

  /** True while outlier detection keeps this endpoint out. */
  isEjected(address: string): boolean {
    return this.outlier?.isEjected(address) ?? false;
  }

  close(): void {
    this.outlier?.close();
    this.serviceBreaker?.shutdown();
    if (this.#rotateTimer !== undefined) this.#env.clock.clearTimeout(this.#rotateTimer);
    this.#rotateTimer = undefined;
  }

  #apply(old: ServiceConfig | undefined, cfg: ServiceConfig): void {
    const { clock, metrics } = this.#env;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const r = cfg.retries;
    if (!old || old.retries.budget !== r.budget || old.retries.minRetriesPerSecond !== r.minRetriesPerSecond) {
      this.budget = new RetryBudget({ ratio: r.budget, minRetriesPerSecond: r.minRetriesPerSecond }, clock);
    }
    if (!old || !same(old.concurrency, cfg.concurrency)) this.limiter = cfg.concurrency ? new ConcurrencyLimiter(cfg.concurrency) : undefined;
    if (!old || !same(old.outlierDetection, cfg.outlierDetection)) {
      this.outlier?.close();
      this.outlier = cfg.outlierDetection ? new OutlierDetector(cfg.outlierDetection, { clock }) : undefined;
      this.outlier?.setHosts(this.#hosts);
      this.outlier?.onChange((host, ejected) => {
        if (ejected) metrics.ejections.inc({ destination_service: cfg.name, endpoint: host });
      });
    }
    if (!old || !same(old.circuitBreaker, cfg.circuitBreaker)) {
      this.serviceBreaker?.shutdown();
      this.serviceBreaker = cfg.circuitBreaker ? this.newBreaker(cfg.circuitBreaker, '') : undefined;
      this.#startRotation(cfg.circuitBreaker);
    }
  }

  /** A breaker on this destination's rotation clock; `endpoint` '' is the service-wide one. */
  newBreaker(cfg: CircuitBreakerConfig, endpoint: string): EndpointBreaker<HttpRequest, HttpResponse> {
    const { metrics } = this.#env;
    const name = this.#cfg.name;
    return new EndpointBreaker<HttpRequest, HttpResponse>(cfg, {
      isFailure: isServerError,
      endpoint: endpoint || undefined,
      rotateBuckets: this.rotateBuckets,
      onStateChange: (state) => metrics.circuitTransitions.inc({ destination_service: name, endpoint, state }),
    });
  }

  #startRotation(cfg: CircuitBreakerConfig | undefined): void {
    const { clock } = this.#env;
    if (this.#rotateTimer !== undefined) clock.clearTimeout(this.#rotateTimer);
    this.#rotateTimer = undefined;
    if (!cfg) return;
    this.#rotateEvery = Math.max(1, Math.floor(cfg.rollingCountTimeout / BUCKETS));
    const tick = () => {
      this.rotateBuckets.emit('rotate');
      this.#rotateTimer = clock.setTimeout(tick, this.#rotateEvery);
    };
    this.#rotateTimer = clock.setTimeout(tick, this.#rotateEvery);
  }
}
