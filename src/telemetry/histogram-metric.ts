import type { Registry } from 'prom-client';
import { EXPORT_BOUNDS, LatencyHistogram } from './latency-histogram.js';

type Labels = Readonly<Record<string, string | number>>;

/** prom-client's exemplar shape (its text format ignores it; our OpenMetrics renderer prints it). Timestamp in seconds. */
export interface SampleExemplar {
  readonly labelSet: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp: number;
}

export interface HistogramSample {
  readonly metricName: string;
  readonly labels: Labels;
  readonly value: number;
  readonly exemplar?: SampleExemplar;
}

interface Series {
  readonly labels: Labels;
  readonly histogram: LatencyHistogram;
}

/**
 * A Prometheus histogram family whose series are LatencyHistograms the hot path writes to
 * directly; prom-client reads them only when scraped (a custom collector in its metric shape).
 */
export class HistogramMetric {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #series = new Map<string, Series>();

  /** `registry`, when given, registers it at once; MeshMetrics registers its families itself. */
  constructor(name: string, help: string, registry?: Registry) {
    this.name = name;
    this.help = help;
    registry?.registerMetric(this as never);
  }

  /** The series for these labels, made once; callers keep it so each observation is just `observe`. */
  series(labels: Labels): LatencyHistogram {
    const key = JSON.stringify(labels);
    let s = this.#series.get(key);
    if (!s) {
      s = { labels, histogram: new LatencyHistogram() };
      this.#series.set(key, s);
    }
    return s.histogram;
  }

  /** Drops a series (an endpoint that left), so label sets do not grow without bound. */
  remove(labels: Labels): void {
    this.#series.delete(JSON.stringify(labels));
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: HistogramSample[] } {
    const values: HistogramSample[] = [];
    for (const { labels, histogram } of this.#series.values()) {
      if (histogram.count === 0) continue;
      const buckets = histogram.exportBuckets();
      const exemplars = histogram.exportExemplars();
      for (let i = 0; i < buckets.length; i++) {
        const le = i < EXPORT_BOUNDS.length ? String(EXPORT_BOUNDS[i]) : '+Inf';
        const sample: HistogramSample = { metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: buckets[i]! };
        const e = exemplars?.[i];
        values.push(
          e === undefined ? sample : { ...sample, exemplar: { labelSet: { trace_id: e.traceId, span_id: e.spanId }, value: e.value, timestamp: e.timestampMs / 1000 } },
        );
      }
      values.push({ metricName: `${this.name}_sum`, labels, value: histogram.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: histogram.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Every series with its labels, for in-process summaries (`mesh.stats()`). */
  entries(): IterableIterator<Series> {
    return this.#series.values();
  }

  reset(): void {
    for (const s of this.#series.values()) s.histogram.reset();
  }
}
