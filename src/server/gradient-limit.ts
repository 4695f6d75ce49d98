import type { AdaptiveConcurrencyConfig } from '../config/types.js';

/** Samples a window needs before it moves the limit (Netflix's WindowedLimit uses 10). */
const MIN_WINDOW_SAMPLES = 10;
/** Headroom added each update: lets the limit probe upwards while latency holds (Gradient2's queueSize). */
const QUEUE_SIZE = 4;
/** How much of each update is taken (Gradient2's smoothing). */
const SMOOTHING = 0.2;
/** The long-term latency is an EWMA over about this many windows, after a plain average of the first few. */
const LONG_WINDOW = 600;
const WARMUP_WINDOWS = 10;

/**
 * An adaptive concurrency limit after Netflix concurrency-limits' Gradient2. Each window of
 * `window` ms (and at least 10 samples) gives a short-term latency, the average of the window;
 * an EWMA of those gives the long-term latency. Their ratio (times `tolerance`, clamped to
 * 0.5..1) scales the limit: while latency holds, the limit grows by a small headroom; when
 * requests start queueing and latency climbs, it shrinks. A limit is not grown while the
 * service is not using half of it (the latency says nothing about a higher load then).
 *
 * @example
 * const limit = new GradientLimit(DEFAULT_ADAPTIVE_CONCURRENCY, clock.now());
 * limit.sample(rttMs, inflight, clock.now()); // on every completed request
 * if (running < limit.limit) admit();
 */
export class GradientLimit {
  #cfg: AdaptiveConcurrencyConfig;
  #estimate: number;
  #longRtt = 0;
  #windows = 0;
  #windowStart: number;
  #sum = 0;
  #count = 0;
  #maxInflight = 0;

  constructor(cfg: AdaptiveConcurrencyConfig, now: number) {
    if (!(cfg.minLimit >= 1 && cfg.minLimit <= cfg.maxLimit)) throw new RangeError(`adaptiveConcurrency: need 1 <= minLimit <= maxLimit, got ${cfg.minLimit}..${cfg.maxLimit}`);
    this.#cfg = cfg;
    this.#estimate = clamp(cfg.initialLimit, cfg.minLimit, cfg.maxLimit);
    this.#windowStart = now;
  }

  /** The number of requests that may run at once now. */
  get limit(): number {
    return Math.floor(this.#estimate);
  }

  /** The long-term latency (ms) the limit compares windows against; 0 before the first window. */
  get longRtt(): number {
    return this.#longRtt;
  }

  /** Records one completed request: its latency (ms) and the requests running when it started. */
  sample(rttMs: number, inflight: number, now: number): void {
    this.#sum += rttMs;
    this.#count++;
    if (inflight > this.#maxInflight) this.#maxInflight = inflight;
    if (now - this.#windowStart >= this.#cfg.window && this.#count >= MIN_WINDOW_SAMPLES) this.#update(now);
  }

  reconfigure(cfg: AdaptiveConcurrencyConfig): void {
    this.#cfg = cfg;
    this.#estimate = clamp(this.#estimate, cfg.minLimit, cfg.maxLimit);
  }

  #update(now: number): void {
    const shortRtt = this.#sum / this.#count;
    const inflight = this.#maxInflight;
    this.#windowStart = now;
    this.#sum = 0;
    this.#count = 0;
    this.#maxInflight = 0;
    if (!(shortRtt > 0)) return;

    this.#windows++;
    const n = this.#windows;
    this.#longRtt = n <= WARMUP_WINDOWS ? this.#longRtt + (shortRtt - this.#longRtt) / n : this.#longRtt + (shortRtt - this.#longRtt) * (2 / (LONG_WINDOW + 1));
    // After a long overload the average stays high; pull it down faster once latency is back to normal.
    if (this.#longRtt / shortRtt > 2) this.#longRtt *= 0.95;

    const cfg = this.#cfg;
    if (inflight < this.#estimate / 2) return;
    const gradient = Math.max(0.5, Math.min(1, (cfg.tolerance * this.#longRtt) / shortRtt));
    const target = this.#estimate * gradient + QUEUE_SIZE;
    this.#estimate = clamp(this.#estimate * (1 - SMOOTHING) + target * SMOOTHING, cfg.minLimit, cfg.maxLimit);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
