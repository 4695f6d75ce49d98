import type { Clock } from '../core/index.js';
import { LatencyHistogram } from './latency-histogram.js';

/** Slices per window: a 60 s window moves in steps of 5 s, as `linkerd viz stat` figures do. */
export const WINDOW_SLICES = 12;

/**
 * Below this age a window's rate is noise (one call in its first millisecond is not 1000/s), so a
 * younger window divides by this instead.
 */
export const MIN_RATE_SPAN_MS = 1000;

/** What `mesh.stats()` shows of one series over its window. Latencies in seconds (NaN when no request). */
export interface WindowFigures {
  readonly requests: number;
  readonly failures: number;
  /** Successes / requests, 0 to 1; NaN when no request. */
  readonly successRate: number;
  /** Requests per second over the time the window covers (see `SlidingWindow`). */
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

class Slice {
  /** Which slice of time (now / sliceMs, rounded down) this slot holds; -1 when never used. */
  number = -1;
  failures = 0;
  readonly latency = new LatencyHistogram();

  restart(number: number): void {
    this.number = number;
    this.failures = 0;
    this.latency.reset();
  }
}

/**
 * Sums of several windows (a destination's routes), turned into figures once.
 */
export class WindowTotals {
  requests = 0;
  failures = 0;
  /** The longest span any added window covers: they share the mesh's clock and window length. */
  coveredMs = 0;
  readonly latency = new LatencyHistogram();

  figures(): WindowFigures {
    const { requests, failures } = this;
    return {
      requests,
      failures,
      successRate: requests === 0 ? NaN : (requests - failures) / requests,
      rps: requests / (Math.max(this.coveredMs, MIN_RATE_SPAN_MS) / 1000),
      p50: this.latency.percentile(0.5),
      p95: this.latency.percentile(0.95),
      p99: this.latency.percentile(0.99),
    };
  }
}

/**
 * Requests, failures and latencies of one series over the last `windowMs`: a ring of
 * WINDOW_SLICES slices, each a LatencyHistogram. Slices rotate lazily, on write and on read, by
 * the Clock (no timer, so an idle mesh does nothing): a slot whose slice number is not the
 * current one is cleared before reuse, and a read sums only the slots of the last WINDOW_SLICES
 * slice numbers, so a gap of any length expires exactly what fell out of the window.
 *
 * The window thus covers the current (partial) slice and the WINDOW_SLICES − 1 before it:
 * between windowMs − sliceMs and windowMs. Its rate divides by exactly that span, or by the
 * window's age when it is younger (a young mesh is not diluted by time it did not exist).
 *
 * @example
 * const w = new SlidingWindow(clock, 60_000);
 * w.record(0.012, false);
 * w.figures().rps;
 */
export class SlidingWindow {
  readonly #clock: Clock;
  readonly #slices: Slice[] = Array.from({ length: WINDOW_SLICES }, () => new Slice());
  #sliceMs: number;
  /** Clock time the window started counting (made, or restarted by a new length). */
  #since: number;

  constructor(clock: Clock, windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError(`SlidingWindow: the window must be a positive number of ms, got ${windowMs}`);
    this.#clock = clock;
    this.#sliceMs = windowMs / WINDOW_SLICES;
    this.#since = clock.now();
  }

  get windowMs(): number {
    return this.#sliceMs * WINDOW_SLICES;
  }

  /** One request done: its latency, and whether it failed (an error, or a 5xx). */
  record(seconds: number, failed: boolean): void {
    const n = Math.floor(this.#clock.now() / this.#sliceMs);
    const slice = this.#slices[slotOf(n)]!;
    if (slice.number !== n) slice.restart(n);
    slice.latency.observe(seconds);
    if (failed) slice.failures++;
  }

  /**
   * A new length: slices of the old length cannot be cut to the new one, so the window starts
   * afresh (a reload that keeps the length keeps the figures).
   */
  resize(windowMs: number): void {
    if (!(windowMs > 0) || windowMs === this.windowMs) return;
    this.#sliceMs = windowMs / WINDOW_SLICES;
    this.#since = this.#clock.now();
    for (const s of this.#slices) s.restart(-1);
  }

  /** Adds what the window holds now into `totals`. */
  addTo(totals: WindowTotals): WindowTotals {
    const now = this.#clock.now();
    const n = Math.floor(now / this.#sliceMs);
    const oldest = n - WINDOW_SLICES + 1;
    for (const s of this.#slices) {
      if (s.number < oldest || s.number > n) continue;
      totals.requests += s.latency.count;
      totals.failures += s.failures;
      totals.latency.add(s.latency);
    }
    const span = Math.min(now - this.#since, now - oldest * this.#sliceMs);
    if (span > totals.coveredMs) totals.coveredMs = span;
    return totals;
  }

  figures(): WindowFigures {
    return this.addTo(new WindowTotals()).figures();
  }
}

function slotOf(n: number): number {
  const i = n % WINDOW_SLICES;
  return i < 0 ? i + WINDOW_SLICES : i;
}
