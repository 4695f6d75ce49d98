import { labelKey } from './label-key.js';

type Labels<L extends string> = Partial<Record<L, string | number>>;

/**
 * A Prometheus gauge family kept in a plain map, like CounterMetric: set rarely (a certificate's
 * expiry at each rotation), read when scraped.
 *
 * @example
 * const expiry = new GaugeMetric('inmesh_cert_expiry_timestamp_seconds', 'When the certificate expires.', ['spiffe_id']);
 * expiry.set({ spiffe_id: id }, notAfter / 1000);
 */
export class GaugeMetric<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'gauge';
  readonly aggregator = 'omit';
  readonly labelNames: readonly L[];
  readonly #series = new Map<string, { labels: Readonly<Record<string, string | number>>; value: number }>();

  constructor(name: string, help: string, labelNames: readonly L[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  set(labels: Labels<L>, value: number): void {
    const key = labelKey(this.labelNames, labels);
    this.#series.set(key, { labels: { ...labels } as Record<string, string | number>, value });
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Readonly<Record<string, string | number>>; value: number }> } {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [...this.#series.values()] };
  }

  reset(): void {
    this.#series.clear();
  }
}
