/**
 * Prometheus bucket bounds (seconds) for request durations. Finer than OpenTelemetry's default
 * at the low end, because in-process mesh calls on one host take tens to hundreds of microseconds.
 */
export const EXPORT_BOUNDS: readonly number[] = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

const SUBDIVISIONS = 8;
const FLOOR = 0.00001;

/** Internal bounds: each exported interval cut into 8 geometric steps, so percentiles are within ~10%. */
const INTERNAL_BOUNDS: Float64Array = (() => {
  const bounds: number[] = [];
  let lo = FLOOR;
  for (const hi of EXPORT_BOUNDS) {
    const step = Math.pow(hi / lo, 1 / SUBDIVISIONS);
    for (let i = 1; i < SUBDIVISIONS; i++) bounds.push(lo * Math.pow(step, i));
    bounds.push(hi);
    lo = hi;
  }
  return Float64Array.from(bounds);
})();

/** For each exported bound, the index of the internal bucket that ends at it. */
const EXPORT_INDEX: readonly number[] = EXPORT_BOUNDS.map((b) => INTERNAL_BOUNDS.indexOf(b));

const SLOTS = INTERNAL_BOUNDS.length + 1;

/** The latest traced observation of one exported bucket: an OpenMetrics exemplar. */
export interface Exemplar {
  readonly traceId: string;
  readonly spanId: string;
  /** The observed value, seconds. */
  readonly value: number;
  /** Wall-clock time of the observation, Unix milliseconds. */
  readonly timestampMs: number;
}

/** The exported bucket (index into EXPORT_BOUNDS, or EXPORT_BOUNDS.length for +Inf) whose `le` takes `seconds`. */
function exportSlot(seconds: number): number {
  let lo = 0;
  let hi = EXPORT_BOUNDS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (EXPORT_BOUNDS[mid]! < seconds) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A latency histogram in a typed array: `observe` is a binary search and an increment (a few
 * nanoseconds, against ~400 ns for prom-client's Histogram.observe). Exported at scrape time.
 *
 * @example
 * const h = new LatencyHistogram();
 * h.observe(0.0021);
 * h.percentile(0.99);
 */
export class LatencyHistogram {
  /**
   * counts[i] = observations in (bounds[i-1], bounds[i]]; the last slot is +Inf. Made on the first
   * observation: a mesh holds two per endpoint (successes, failures) and many stay empty (1 KB each).
   */
  #counts: Float64Array | undefined;
  /** Per exported bucket, its latest exemplar; made on the first traced observation, so untraced histograms pay nothing. */
  #exemplars: Array<Exemplar | undefined> | undefined;
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    let lo = 0;
    let hi = INTERNAL_BOUNDS.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (INTERNAL_BOUNDS[mid]! < seconds) lo = mid + 1;
      else hi = mid;
    }
    (this.#counts ??= new Float64Array(SLOTS))[lo]!++;
    this.count++;
    this.sum += seconds;
  }

  /**
   * `observe`, keeping this observation as the exemplar of the bucket it falls in (the latest
   * one wins, as in Prometheus' client libraries): a scrape in OpenMetrics shows it, linking the
   * bucket to a trace.
   */
  observeWithExemplar(seconds: number, traceId: string, spanId: string, timestampMs: number): void {
    this.observe(seconds);
    (this.#exemplars ??= new Array<Exemplar | undefined>(EXPORT_BOUNDS.length + 1))[exportSlot(seconds)] = { traceId, spanId, value: seconds, timestampMs };
  }

  /** The exemplar of each exported bucket (aligned with `exportBuckets`), or undefined when none was traced. */
  exportExemplars(): ReadonlyArray<Exemplar | undefined> | undefined {
    return this.#exemplars;
  }

  /** The q-quantile (0..1) in seconds, interpolated within its bucket; NaN when empty. */
  percentile(q: number): number {
    const counts = this.#counts;
    if (this.count === 0 || !counts) return NaN;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      if (seen + c >= rank) {
        const lower = i === 0 ? 0 : INTERNAL_BOUNDS[i - 1]!;
        const upper = i < INTERNAL_BOUNDS.length ? INTERNAL_BOUNDS[i]! : lower * 2;
        return lower + ((upper - lower) * Math.max(0, rank - seen)) / c;
      }
      seen += c;
    }
    return INTERNAL_BOUNDS[INTERNAL_BOUNDS.length - 1]!;
  }

  /** Cumulative counts at each exported bound, then +Inf (Prometheus `le` buckets). */
  exportBuckets(): number[] {
    const out: number[] = [];
    const counts = this.#counts ?? new Float64Array(SLOTS);
    let cumulative = 0;
    let next = 0;
    for (let b = 0; b < EXPORT_INDEX.length; b++) {
      const end = EXPORT_INDEX[b]!;
      for (; next <= end; next++) cumulative += counts[next]!;
      out.push(cumulative);
    }
    for (; next < counts.length; next++) cumulative += counts[next]!;
    out.push(cumulative);
    return out;
  }

  /** Adds another histogram's observations into this one. */
  add(other: LatencyHistogram): this {
    const theirs = other.#counts;
    if (theirs) {
      const mine = (this.#counts ??= new Float64Array(SLOTS));
      for (let i = 0; i < theirs.length; i++) mine[i]! += theirs[i]!;
    }
    this.count += other.count;
    this.sum += other.sum;
    return this;
  }

  reset(): void {
    this.#counts?.fill(0);
    this.#exemplars = undefined;
    this.count = 0;
    this.sum = 0;
  }
}
