import type { Clock } from '../core/index.js';

export interface PeakEwmaOptions {
  /** Time (ms) over which an old sample's weight falls to 1/e: Finagle's decay time. */
  readonly decay: number;
  readonly clock: Clock;
  /** The estimate (ms) before the first response: Linkerd's 30 ms, so a new endpoint is neither shunned nor flooded. */
  readonly defaultRtt?: number;
}

/** Linkerd's default RTT estimate for an endpoint not yet measured. */
export const DEFAULT_RTT_MS = 30;

/**
 * Peak-EWMA load of one endpoint (Finagle's PeakEwma, tower's PeakEwma): a latency average that
 * jumps up at once on a slow response (the peak) and decays back over `decay` ms, times the calls
 * in flight plus one. Balancers compare `cost()`; lower is better. Holds only numbers, so every
 * method is allocation-free.
 *
 * @example
 * const ewma = new PeakEwma({ decay: 10_000, clock: systemClock });
 * const t = ewma.start();
 * try { return await call(); } finally { ewma.end(t); }
 */
export class PeakEwma {
  readonly #decay: number;
  readonly #clock: Clock;
  #estimate: number;
  #stamp: number;
  #pending = 0;
  /** Until the first sample the estimate is only the default prior. */
  #measured = false;

  constructor(opts: PeakEwmaOptions) {
    if (!(opts.decay > 0)) throw new RangeError(`PeakEwma: decay must be a positive number of ms, got ${opts.decay}`);
    const rtt = opts.defaultRtt ?? DEFAULT_RTT_MS;
    if (!(rtt >= 0)) throw new RangeError(`PeakEwma: defaultRtt must be >= 0, got ${rtt}`);
    this.#decay = opts.decay;
    this.#clock = opts.clock;
    this.#estimate = rtt;
    this.#stamp = opts.clock.now();
  }

  /** Calls in flight. */
  get pending(): number {
    return this.#pending;
  }

  /** Counts a call as in flight; pass the returned start time to `end`. */
  start(): number {
    this.#pending++;
    return this.#clock.now();
  }

  /** Counts a call as in flight when the caller already has the start time. */
  enter(): void {
    this.#pending++;
  }

  /** Ends a call without recording a sample (the caller records its own). */
  exit(): void {
    if (this.#pending > 0) this.#pending--;
  }

  /** Ends a call begun with `start` and records its round-trip time; `now` saves a clock read when the caller has it. */
  end(startedAt: number, now = this.#clock.now()): void {
    if (this.#pending > 0) this.#pending--;
    this.observe(now - startedAt, now);
  }

  /** Records one round-trip time (ms) without touching the pending count. */
  observe(rttMs: number, now = this.#clock.now()): void {
    // A negative or NaN sample (a clock that stepped) would poison the average for good.
    if (!(rttMs >= 0)) return;
    // The default RTT is a prior for an endpoint never measured. Blended with the decay's time
    // constant (10 s) it would hold fast endpoints near 30 ms for seconds after they start
    // answering in 2 ms, and make a slow endpoint look competitive meanwhile: the first real
    // sample replaces it.
    if (!this.#measured) {
      this.#measured = true;
      this.#estimate = rttMs;
      this.#stamp = now;
      return;
    }
    if (rttMs > this.#estimate) {
      this.#estimate = rttMs;
    } else {
      const w = this.#weight(now);
      this.#estimate = this.#estimate * w + rttMs * (1 - w);
    }
    this.#stamp = now;
  }

  /**
   * The estimate decayed to now, times (pending + 1). The decay runs towards zero between samples,
   * as a sample of 0 would (Finagle's `observe(0.0)` in `get`), so an endpoint that went quiet after
   * a slow spell is probed again instead of being shunned for ever. Reading it changes nothing.
   */
  cost(): number {
    return this.#estimate * this.#weight(this.#clock.now()) * (this.#pending + 1);
  }

  /** The latency estimate (ms) decayed to now, without the pending factor. */
  rtt(): number {
    return this.#estimate * this.#weight(this.#clock.now());
  }

  /**
   * Adds `ms` to the current estimate, which then decays like any peak: a hook for signals other
   * than measured latency (a server reporting its own load, an ejection).
   */
  penalize(ms: number): void {
    if (!(ms > 0)) return;
    const now = this.#clock.now();
    this.#estimate = this.#estimate * this.#weight(now) + ms;
    this.#stamp = now;
  }

  #weight(now: number): number {
    const dt = now - this.#stamp;
    return dt > 0 ? Math.exp(-dt / this.#decay) : 1;
  }
}
