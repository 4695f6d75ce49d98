import type { Random } from '../../core/index.js';
import type { BalancerConfig } from '../../config/types.js';
import { createPicker } from '../../balancer/create-picker.js';
import type { Balanceable, Picker } from '../../balancer/picker.js';

/**
 * One picker per subset of a destination's endpoints (endpoints whose labels include the
 * subset's labels), rebuilt together whenever the endpoint list or the balancer changes.
 */
export class SubsetPickers<E extends Balanceable> {
  readonly #all: Picker<E>;
  readonly #pickers = new Map<string, Picker<E>>();

  constructor(endpoints: readonly E[], subsets: Readonly<Record<string, Readonly<Record<string, string>>>>, lb: BalancerConfig, env: { random: Random }) {
    this.#all = createPicker(lb, endpoints, env);
    for (const [name, labels] of Object.entries(subsets)) {
      const members = endpoints.filter((e) => Object.entries(labels).every(([k, v]) => e.labels[k] === v));
      this.#pickers.set(name, createPicker(lb, members, env));
    }
  }

  /** The picker of a subset, or of all endpoints when the backend names none. */
  get(subset: string | undefined): Picker<E> {
    return subset === undefined ? this.#all : (this.#pickers.get(subset) ?? this.#all);
  }
}
