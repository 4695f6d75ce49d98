import { isMeshError, type CallContext, type Clock, type Tap, type TimerHandle, type TransportError } from '../core/index.js';
import type { OutlierDetectionConfig } from '../config/types.js';

/** What one call said of a host: `failure` is a 5xx-like answer or a broken call, `connect-failure` never reached it. */
export type HostOutcome = 'success' | 'failure' | 'connect-failure';

export type EjectionListener = (host: string, ejected: boolean) => void;

export interface OutlierDetectorDeps {
  readonly clock: Clock;
  /** Ejection time stops growing at this multiple of `baseEjectionTime` (Envoy's max_ejection_time: 300 s = 10 × 30 s). Default 10. */
  readonly maxEjectionMultiplier?: number;
}

export const DEFAULT_MAX_EJECTION_MULTIPLIER = 10;

class HostState {
  consecutiveFailures = 0;
  consecutiveConnectFailures = 0;
  /** Calls and successes in the current interval, for the success-rate pass. */
  requests = 0;
  successes = 0;
  /** Ejections so far, less one for each full interval spent healthy since: the ejection time multiplier. */
  ejections = 0;
  ejected = false;
  /** When the host last came back (or was first seen). */
  healthySince: number;
  returnTimer: TimerHandle | undefined = undefined;

  constructor(now: number) {
    this.healthySince = now;
  }
}

/**
 * Envoy-style outlier detection (passive health checking) over host keys. A host is ejected
 * after `consecutive5xx` failures in a row (connect failures count too) or
 * `consecutiveConnectFailures` connect failures in a row, and, every `interval`, when its success
 * rate is below mean − `successRateStdevFactor` × stdev of the hosts that had at least
 * `successRateRequestVolume` calls (if at least `successRateMinimumHosts` did). An ejection lasts
 * `baseEjectionTime` × the number of times the host was ejected (capped), the multiplier losing
 * one for each interval the host then stays healthy. At most `maxEjectionPercent` of the hosts
 * are out at once, though at least one may be ejected (as Envoy) and at least one always stays.
 * A threshold of 0 turns its check off. Outcomes of hosts not given to `setHosts` are ignored.
 *
 * @example
 * const od = new OutlierDetector(cfg.outlierDetection, { clock });
 * od.setHosts(endpoints.map((e) => e.address));
 * od.onChange((host, ejected) => republishPicker());
 * od.record('10.0.0.1:80', 'failure');
 */
export class OutlierDetector {
  readonly #cfg: OutlierDetectionConfig;
  readonly #clock: Clock;
  readonly #maxMultiplier: number;
  readonly #hosts = new Map<string, HostState>();
  readonly #listeners: EjectionListener[] = [];
  #ejectedCount = 0;
  #timer: TimerHandle | undefined;
  #closed = false;
  readonly #tick = (): void => this.#onInterval();

  constructor(cfg: OutlierDetectionConfig, deps: OutlierDetectorDeps) {
    validateOutlierConfig(cfg);
    const mult = deps.maxEjectionMultiplier ?? DEFAULT_MAX_EJECTION_MULTIPLIER;
    if (!(mult >= 1)) throw new RangeError(`OutlierDetector: maxEjectionMultiplier must be at least 1, got ${mult}`);
    this.#cfg = cfg;
    this.#clock = deps.clock;
    this.#maxMultiplier = mult;
    this.#timer = this.#clock.setTimeout(this.#tick, cfg.interval);
  }

  /** The current host set: new keys start healthy, removed keys are forgotten (with their ejection). */
  setHosts(keys: Iterable<string>): void {
    const keep = new Set(keys);
    for (const [key, h] of this.#hosts) {
      if (keep.has(key)) continue;
      if (h.returnTimer !== undefined) this.#clock.clearTimeout(h.returnTimer);
      if (h.ejected) this.#ejectedCount--;
      this.#hosts.delete(key);
    }
    const now = this.#clock.now();
    for (const key of keep) if (!this.#hosts.has(key)) this.#hosts.set(key, new HostState(now));
  }

  /** Records one call's outcome against `host` (a no-op for hosts not in the set). */
  record(host: string, outcome: HostOutcome): void {
    const h = this.#hosts.get(host);
    if (h === undefined) return;
    h.requests++;
    if (outcome === 'success') {
      h.successes++;
      h.consecutiveFailures = 0;
      h.consecutiveConnectFailures = 0;
      return;
    }
    const cfg = this.#cfg;
    h.consecutiveFailures++;
    if (outcome === 'connect-failure') h.consecutiveConnectFailures++;
    else h.consecutiveConnectFailures = 0; // it answered, so connecting works
    if (h.ejected) return;
    if (
      (cfg.consecutive5xx > 0 && h.consecutiveFailures >= cfg.consecutive5xx) ||
      (cfg.consecutiveConnectFailures > 0 && h.consecutiveConnectFailures >= cfg.consecutiveConnectFailures)
    ) {
      this.#eject(host, h);
    }
  }

  isEjected(host: string): boolean {
    return this.#hosts.get(host)?.ejected === true;
  }

  /** The hosts ejected now. */
  ejectedHosts(): string[] {
    const out: string[] = [];
    for (const [key, h] of this.#hosts) if (h.ejected) out.push(key);
    return out;
  }

  /** Calls `fn(host, ejected)` on every ejection and return; returns a function that removes it. */
  onChange(fn: EjectionListener): () => void {
    this.#listeners.push(fn);
    return () => {
      const i = this.#listeners.indexOf(fn);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Stops the interval and the return timers; ejected hosts stay as they are. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const h of this.#hosts.values()) {
      if (h.returnTimer !== undefined) this.#clock.clearTimeout(h.returnTimer);
      h.returnTimer = undefined;
    }
  }

  /** Ejects at most this many hosts out of `n`. */
  #maxEjected(n: number): number {
    const pct = this.#cfg.maxEjectionPercent;
    if (pct <= 0 || n <= 1) return 0;
    return Math.min(n - 1, Math.max(1, Math.floor((n * pct) / 100)));
  }

  #eject(host: string, h: HostState): boolean {
    if (this.#ejectedCount >= this.#maxEjected(this.#hosts.size)) return false;
    h.ejected = true;
    this.#ejectedCount++;
    h.ejections++;
    h.consecutiveFailures = 0;
    h.consecutiveConnectFailures = 0;
    const ms = this.#cfg.baseEjectionTime * Math.min(h.ejections, this.#maxMultiplier);
    h.returnTimer = this.#clock.setTimeout(() => this.#return(host, h), ms);
    this.#emit(host, true);
    return true;
  }

  #return(host: string, h: HostState): void {
    h.returnTimer = undefined;
    if (!h.ejected || this.#hosts.get(host) !== h) return;
    h.ejected = false;
    this.#ejectedCount--;
    h.healthySince = this.#clock.now();
    h.requests = h.successes = 0;
    this.#emit(host, false);
  }

  #emit(host: string, ejected: boolean): void {
    for (const fn of this.#listeners.slice()) fn(host, ejected);
  }

  #onInterval(): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    const cfg = this.#cfg;
    // Success rate: only hosts with enough calls in the interval, and only if enough such hosts.
    const rated: Array<[string, HostState, number]> = [];
    for (const [key, h] of this.#hosts) {
      if (!h.ejected && h.requests >= cfg.successRateRequestVolume && h.requests > 0) rated.push([key, h, h.successes / h.requests]);
    }
    if (cfg.successRateMinimumHosts > 0 && rated.length >= cfg.successRateMinimumHosts) {
      let sum = 0;
      for (const r of rated) sum += r[2];
      const mean = sum / rated.length;
      let sq = 0;
      for (const r of rated) sq += (r[2] - mean) ** 2;
      const threshold = mean - cfg.successRateStdevFactor * Math.sqrt(sq / rated.length);
      for (const [key, h, rate] of rated) if (rate < threshold) this.#eject(key, h);
    }
    for (const h of this.#hosts.values()) {
      h.requests = h.successes = 0;
      // A full interval healthy since its return: the next ejection is shorter again.
      if (!h.ejected && h.ejections > 0 && now - h.healthySince >= cfg.interval) {
        h.ejections--;
        h.healthySince = now;
      }
    }
    this.#timer = this.#clock.setTimeout(this.#tick, cfg.interval);
  }
}

export interface OutlierTapOptions<Res> {
  /** The host this endpoint stack reports for. */
  readonly host: string;
  /** A response's outcome (HTTP: 5xx → `failure`, else `success`). */
  readonly classify: (res: Res) => HostOutcome;
  /** A rejection's outcome, or undefined to ignore it. Default: `outcomeOfError`. */
  readonly classifyError?: (err: unknown, ctx: CallContext) => HostOutcome | undefined;
}

/**
 * A Tap for an endpoint stack that records each call's outcome into the detector.
 *
 * @example
 * const tap = outlierTap(od, { host: endpoint.address, classify: (res) => (res.statusCode >= 500 ? 'failure' : 'success') });
 */
export function outlierTap<Req, Res>(detector: OutlierDetector, o: OutlierTapOptions<Res>): Tap<Req, Res> {
  const { host, classify } = o;
  const classifyError = o.classifyError ?? outcomeOfError;
  return {
    response(res) {
      detector.record(host, classify(res));
    },
    error(err, ctx) {
      const outcome = classifyError(err, ctx);
      if (outcome !== undefined) detector.record(host, outcome);
    },
  };
}

/**
 * The default reading of a rejection: a connect failure or refused stream is `connect-failure`;
 * the caller's own cancellation and errors raised before sending (an open breaker, an
 * overloaded queue: `rejected` without a transport failure) say nothing of the host; anything
 * else (a reset, a timeout, a broken response) is a `failure`.
 */
export function outcomeOfError(err: unknown, ctx: CallContext): HostOutcome | undefined {
  if (isMeshError(err)) {
    if (err.code === 'MESH_ERR_TRANSPORT') {
      const failure = (err as TransportError).failure;
      return failure === 'connect-failure' || failure === 'refused-stream' ? 'connect-failure' : 'failure';
    }
    if (err.code === 'MESH_ERR_CANCELLED' || err.rejected) return undefined;
  }
  if (ctx.cancellation.cancelled && ctx.cancellation.reason === err) {
    return isMeshError(err) && err.code === 'MESH_ERR_DEADLINE_EXCEEDED' ? 'failure' : undefined;
  }
  return 'failure';
}

export function validateOutlierConfig(cfg: OutlierDetectionConfig): void {
  const ints: Array<keyof OutlierDetectionConfig> = ['consecutive5xx', 'consecutiveConnectFailures', 'successRateMinimumHosts', 'successRateRequestVolume'];
  for (const k of ints) {
    const v = cfg[k];
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`outlierDetection: ${k} must be a non-negative integer, got ${v}`);
  }
  if (!(cfg.interval > 0) || !Number.isFinite(cfg.interval)) throw new RangeError(`outlierDetection: interval must be a positive number of ms, got ${cfg.interval}`);
  if (!(cfg.baseEjectionTime > 0) || !Number.isFinite(cfg.baseEjectionTime))
    throw new RangeError(`outlierDetection: baseEjectionTime must be a positive number of ms, got ${cfg.baseEjectionTime}`);
  if (!(cfg.maxEjectionPercent >= 0 && cfg.maxEjectionPercent <= 100))
    throw new RangeError(`outlierDetection: maxEjectionPercent must be between 0 and 100, got ${cfg.maxEjectionPercent}`);
  if (!(cfg.successRateStdevFactor >= 0) || !Number.isFinite(cfg.successRateStdevFactor))
    throw new RangeError(`outlierDetection: successRateStdevFactor must be a non-negative number, got ${cfg.successRateStdevFactor}`);
}
