import type { Random } from '../../core/index.js';
import type { BalancerConfig } from '../../config/types.js';
import { createPicker } from '../../balancer/create-picker.js';
import type { Balanceable, Picker } from '../../balancer/picker.js';

const ALL = '\0all';

/**
 * One picker per subset of a destination's endpoints (endpoints whose labels include the
 * subset's labels), rebuilt together whenever the endpoint list or the balancer changes.
 */
export class SubsetPickers<E extends Balanceable> {
  readonly #pickers: Map<string, Picker<E>>;

  constructor(endpoints: readonly E[], subsets: Readonly<Record<string, Readonly<Record<string, string>>>>, lb: BalancerConfig, env: { random: Random }) {
    this.#pickers = new Map([[ALL, createPicker(lb, endpoints, env)]]);
    for (const [name, labels] of Object.entries(subsets)) {
      const members = endpoints.filter((e) => Object.entries(labels).every(([k, v]) => e.labels[k] === v));
      this.#pickers.set(name, createPicker(lb, members, env));
    }
  }

  /** The picker of a subset, or of all endpoints when the backend names none. */
  get(subset: string | undefined): Picker<E> {
    return (subset === undefined ? this.#pickers.get(ALL) : this.#pickers.get(subset)) ?? this.#pickers.get(ALL)!;
  }

  /** The subset names' pickers, for stats and tests. */
  get all(): Picker<E> {
    return this.#pickers.get(ALL)!;
  }
}
