import { labelKey } from './label-key.js';

type Labels<L extends string> = Partial<Record<L, string | number>>;

interface Series {
  readonly labels: Readonly<Record<string, string | number>>;
  value: number;
}

/**
 * A Prometheus counter family kept in a plain map: the mesh counts its rare events (retries,
 * ejections, reloads) without loading prom-client, which reads the counts only when scraped (a
 * custom collector in its metric shape, printed as its own Counter would be).
 *
 * @example
 * const reloads = new CounterMetric('inmesh_config_reloads_total', 'Configuration updates.', ['result']);
 * reloads.inc({ result: 'applied' });
 */
export class CounterMetric<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly labelNames: readonly L[];
  readonly #series = new Map<string, Series>();

  constructor(name: string, help: string, labelNames: readonly L[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  inc(labels: Labels<L>, value = 1): void {
    const key = labelKey(this.labelNames, labels);
    const s = this.#series.get(key);
    if (s) s.value += value;
    else this.#series.set(key, { labels: { ...labels } as Record<string, string | number>, value });
  }

  /** The counter of one label set, for a caller that counts it often. */
  labels(labels: Labels<L>): { inc(value?: number): void } {
    return { inc: (value?: number) => this.inc(labels, value) };
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Readonly<Record<string, string | number>>; value: number }> } {
    const values = [...this.#series.values()].map(({ labels, value }) => ({ labels, value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#series.clear();
  }
}
