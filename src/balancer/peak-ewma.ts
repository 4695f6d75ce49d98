import type { Clock } from '../core/index.js';

export interface PeakEwmaOptions {
  /** Time (ms) over which an old sample's weight falls to 1/e: Finagle's decay time. */
  readonly decay: number;
  readonly clock: Clock;
  /** The estimate (ms) for calls in flight before the first response: Linkerd's 30 ms, so a new endpoint is not flooded. */
  readonly defaultRtt?: number;
  /** An estimate with no sample for this long (ms) is stale: the endpoint is probed and its next sample replaces it. */
  readonly staleAfter?: number;
}

/** Linkerd's default RTT estimate for an endpoint not yet measured. */
export const DEFAULT_RTT_MS = 30;

/**
 * How long an estimate stands without a fresh sample. At low concurrency the balancer only
 * measures the endpoints it picks, so one that drew a single slow sample (a connection set-up, a
 * pause) or was simply not drawn for a while keeps its old estimate and loses every comparison
 * until the 10 s decay wears it down: three identical endpoints once split 1,500 calls made one
 * at a time 500/1000/0. Short enough that a few hundred sequential calls see several rounds of
 * probes; long enough that a slow endpoint gets at most one probe per this interval plus its latency.
 */
export const DEFAULT_STALE_AFTER_MS = 20;

/** A penalty never keeps an endpoint out for longer than this, whatever a server asked for. */
export const MAX_PENALTY_MS = 60_000;

/**
 * Peak-EWMA load of one endpoint (Finagle's PeakEwma, tower's PeakEwma): a latency average that
 * jumps up at once on a slow response (the peak) and decays back over `decay` ms, times the calls
 * in flight plus one. Balancers compare `cost()`; lower is better. Holds only numbers, so every
 * method is allocation-free.
 *
 * An estimate ages: with no sample for `staleAfter` ms it no longer describes the endpoint, so
 * while nothing is in flight its cost is 0 and the balancer tries it once (Finagle probes an
 * unmeasured node the same way), and the sample that probe brings replaces the old estimate.
 * Until it answers, the probe's own pending count keeps the old estimate in force, so a slow
 * endpoint gets one probe at a time, not a flood.
 *
 * @example
 * const ewma = new PeakEwma({ decay: 10_000, clock: systemClock });
 * const t = ewma.start();
 * try { return await call(); } finally { ewma.end(t); }
 */
export class PeakEwma {
  readonly #decay: number;
  readonly #staleAfter: number;
  readonly #clock: Clock;
  #estimate: number;
  #stamp: number;
  #pending = 0;
  /** Clock time of the last sample; -Infinity until the first, so a new endpoint is probed at once. */
  #sampledAt = -Infinity;
  /** Until this Clock time the endpoint asked not to be called (a `retry-after`). */
  #penaltyUntil = -Infinity;

  constructor(opts: PeakEwmaOptions) {
    if (!(opts.decay > 0)) throw new RangeError(`PeakEwma: decay must be a positive number of ms, got ${opts.decay}`);
    const rtt = opts.defaultRtt ?? DEFAULT_RTT_MS;
    if (!(rtt >= 0)) throw new RangeError(`PeakEwma: defaultRtt must be >= 0, got ${rtt}`);
    const staleAfter = opts.staleAfter ?? DEFAULT_STALE_AFTER_MS;
    if (!(staleAfter > 0)) throw new RangeError(`PeakEwma: staleAfter must be a positive number of ms, got ${staleAfter}`);
    this.#decay = opts.decay;
    this.#staleAfter = staleAfter;
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
    // No estimate yet (the default RTT is only a prior), or a stale one: blended with the decay's
    // time constant (10 s) it would hold the endpoint near its old figure for seconds after it
    // answers differently. The fresh sample replaces it.
    const stale = now - this.#sampledAt >= this.#staleAfter;
    this.#sampledAt = now;
    if (stale || rttMs > this.#estimate) {
      this.#estimate = rttMs;
    } else {
      const w = this.#weight(now);
      this.#estimate = this.#estimate * w + rttMs * (1 - w);
    }
    this.#stamp = now;
  }

  /**
   * The estimate decayed to now, times (pending + 1), plus what is left of a penalty. The decay
   * runs towards zero between samples, as a sample of 0 would (Finagle's `observe(0.0)` in `get`);
   * a stale estimate with nothing in flight costs 0, so the endpoint is probed (see the class
   * comment). `probeSlowdown` (≥ 1) stretches the time before that probe, for an endpoint known to
   * be busy by other means (a load report). Reading it changes nothing.
   */
  cost(probeSlowdown = 1): number {
    const now = this.#clock.now();
    const penalty = this.#penaltyUntil > now ? this.#penaltyUntil - now : 0;
    if (this.#pending === 0 && now - this.#sampledAt >= this.#staleAfter * probeSlowdown) return penalty;
    return this.#estimate * this.#weight(now) * (this.#pending + 1) + penalty;
  }

  /** The latency estimate (ms) decayed to now, without the pending factor or a penalty. */
  rtt(): number {
    return this.#estimate * this.#weight(this.#clock.now());
  }

  /**
   * Keeps the endpoint out of favour for `ms` (at most MAX_PENALTY_MS): until then its cost carries
   * the time left, falling to nothing when the penalty ends, and probes wait for it. A hook for
   * signals other than measured latency, such as a server's `retry-after`. A shorter penalty never
   * shortens a longer one already in force.
   */
  penalize(ms: number): void {
    if (!(ms > 0)) return;
    const until = this.#clock.now() + Math.min(ms, MAX_PENALTY_MS);
    if (until > this.#penaltyUntil) this.#penaltyUntil = until;
  }

  #weight(now: number): number {
    const dt = now - this.#stamp;
    return dt > 0 ? Math.exp(-dt / this.#decay) : 1;
  }
}
