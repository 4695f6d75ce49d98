type Labels<L extends string> = Partial<Record<L, string | number>>;

/** Called once per scrape with `emit`, which adds one series. */
export type GaugeCollector<L extends string> = (emit: (labels: Labels<L>, value: number) => void) => void;

/**
 * A Prometheus gauge family whose values are read from their owners when scraped: endpoint
 * counts, breaker states and requests in flight are state the client and server keep anyway,
 * so the request path writes nothing for them. Owners register a collector (telemetry does not
 * import client or server) and unregister it when they close.
 *
 * @example
 * const inFlight = new CollectedGauge('inmesh_requests_in_flight', 'Attempts in flight.', ['destination_service']);
 * const off = inFlight.addCollector((emit) => emit({ destination_service: 'orders' }, pool.pending));
 */
export class CollectedGauge<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'gauge';
  readonly aggregator = 'omit';
  readonly labelNames: readonly L[];
  readonly #collectors = new Set<GaugeCollector<L>>();

  constructor(name: string, help: string, labelNames: readonly L[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  /** Adds a collector; returns the function that removes it. */
  addCollector(fn: GaugeCollector<L>): () => void {
    // A wrapper per registration, so registering the same function twice is two collectors and removing one leaves the other.
    const entry: GaugeCollector<L> = (emit) => fn(emit);
    this.#collectors.add(entry);
    return () => void this.#collectors.delete(entry);
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Readonly<Record<string, string | number>>; value: number }> } {
    const values: Array<{ labels: Readonly<Record<string, string | number>>; value: number }> = [];
    const emit = (labels: Labels<L>, value: number) => void values.push({ labels: labels as Record<string, string | number>, value });
    for (const c of this.#collectors) c(emit);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing to reset: the values are read from their owners at each scrape. */
  reset(): void {}
}
