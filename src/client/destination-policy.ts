import { EventEmitter } from 'node:events';
import type { TimerHandle } from '../core/index.js';
import type { CircuitBreakerConfig, ServiceConfig } from '../config/types.js';
import { CircuitOpenError } from '../core/index.js';
import { ConcurrencyLimiter, EndpointBreaker, OutlierDetector, RetryBudget, type BreakerState } from '../resilience/index.js';
import type { HttpRequest, HttpResponse } from './http/http-types.js';
import type { ClientEnv } from './client-env.js';

const isServerError = (res: HttpResponse) => res.statusCode >= 500;
/** opossum's rolling window is 10 buckets; one clock loop turns them for all breakers of the destination. */
const BUCKETS = 10;

/**
 * Policy state one destination shares across its routes, endpoints and reloads: the retry
 * budget (one per service in the process, as Finagle and Linkerd have it), the concurrency
 * limit, outlier detection, the endpoint breakers' shared state, and the clock that turns every
 * breaker's rolling window. A reload that leaves a part's config unchanged keeps its state.
 *
 * The service-wide guard is the endpoint breakers taken together: when every endpoint's breaker
 * is open the service is failing everywhere, and calls fail fast above retry. A second opossum
 * breaker per call would cost as much again (~0.4 µs) for the same information.
 */
export class DestinationPolicy {
  #cfg: ServiceConfig;
  readonly #env: ClientEnv;
  budget!: RetryBudget;
  limiter: ConcurrencyLimiter | undefined;
  outlier: OutlierDetector | undefined;
  /** Endpoints whose breaker is open now. */
  readonly #openBreakers = new Set<string>();
  /** Each endpoint breaker's state, kept from its state changes (rare) for the `inmesh_circuit_state` gauge. */
  readonly #breakerStates = new Map<string, BreakerState>();
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
    const live = new Set(addresses);
    for (const a of this.#openBreakers) if (!live.has(a)) this.#openBreakers.delete(a);
    for (const a of this.#breakerStates.keys()) if (!live.has(a)) this.#breakerStates.delete(a);
  }

  /** The state of the endpoint's breaker, or undefined when it has none. */
  breakerState(address: string): BreakerState | undefined {
    return this.#breakerStates.get(address);
  }

  /** Whether the service-wide guard fails calls fast now (every endpoint's breaker open). */
  get serviceCircuitIsOpen(): boolean {
    const open = this.#openBreakers.size;
    return open > 0 && open >= this.#hosts.length;
  }

  /** The service-wide guard: an error when every endpoint's breaker is open, else undefined. */
  serviceCircuitOpen(): CircuitOpenError | undefined {
    const open = this.#openBreakers.size;
    if (open === 0 || open < this.#hosts.length) return undefined;
    return new CircuitOpenError(`${this.#cfg.name}: every endpoint's circuit is open`, { service: this.#cfg.name });
  }

  /** True while outlier detection keeps this endpoint out. */
  isEjected(address: string): boolean {
    return this.outlier?.isEjected(address) ?? false;
  }

  close(): void {
    this.outlier?.close();
    if (this.#rotateTimer !== undefined) this.#env.clock.clearTimeout(this.#rotateTimer);
    this.#rotateTimer = undefined;
  }

  #apply(old: ServiceConfig | undefined, cfg: ServiceConfig): void {
    const { clock, metrics } = this.#env;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const r = cfg.retries;
    if (!old || old.retries.budget !== r.budget || old.retries.minRetriesPerSecond !== r.minRetriesPerSecond) {
      this.budget = RetryBudget.fromConfig(r, clock);
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
    if (!old || !same(old.circuitBreaker, cfg.circuitBreaker)) this.#startRotation(cfg.circuitBreaker);
  }

  /** An endpoint's breaker, on this destination's rotation clock, counted by the service-wide guard. */
  newBreaker(cfg: CircuitBreakerConfig, endpoint: string): EndpointBreaker<HttpRequest, HttpResponse> {
    const { metrics } = this.#env;
    const name = this.#cfg.name;
    this.#openBreakers.delete(endpoint);
    this.#breakerStates.set(endpoint, 'closed');
    return new EndpointBreaker<HttpRequest, HttpResponse>(cfg, {
      isFailure: isServerError,
      endpoint,
      rotateBuckets: this.rotateBuckets,
      onStateChange: (state) => {
        if (state === 'open') this.#openBreakers.add(endpoint);
        else this.#openBreakers.delete(endpoint);
        this.#breakerStates.set(endpoint, state);
        metrics.circuitTransitions.inc({ destination_service: name, endpoint, state });
      },
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
