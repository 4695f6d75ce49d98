import type { Balanceable, Picker } from './picker.js';

/**
 * Weighted round-robin. Equal weights rotate through the list; unequal weights use nginx's smooth
 * weighted round-robin, which spreads a heavy endpoint's turns through the cycle (5,1,1 gives
 * a a b a c a a, not a a a a a b c) and is exact over each cycle of Σweight picks. Endpoints
 * that are not `open` are skipped; when none is open, all take part.
 *
 * @example
 * const picker = new RoundRobinPicker(endpoints);
 * const endpoint = picker.pick();
 */
export class RoundRobinPicker<E extends Balanceable> implements Picker<E> {
  readonly endpoints: readonly E[];
  readonly #weights: Float64Array;
  /** nginx's `current_weight` per endpoint; mutable state is the point of a round-robin picker. */
  readonly #current: Float64Array;
  readonly #uniform: boolean;
  #next = 0;

  constructor(endpoints: readonly E[]) {
    this.endpoints = endpoints;
    const n = endpoints.length;
    this.#weights = new Float64Array(n);
    this.#current = new Float64Array(n);
    let uniform = true;
    for (let i = 0; i < n; i++) {
      const w = endpoints[i]!.weight;
      this.#weights[i] = w > 0 && Number.isFinite(w) ? w : 1;
      if (this.#weights[i] !== this.#weights[0]) uniform = false;
    }
    this.#uniform = uniform;
  }

  pick(): E | undefined {
    const n = this.endpoints.length;
    if (n <= 1) return this.endpoints[0];
    return this.#uniform ? this.#rotate(n) : (this.#smooth(true) ?? this.#smooth(false));
  }

  #rotate(n: number): E {
    const eps = this.endpoints;
    for (let k = 0; k < n; k++) {
      const i = (this.#next + k) % n;
      if (eps[i]!.status() === 'open') {
        this.#next = (i + 1) % n;
        return eps[i]!;
      }
    }
    const i = this.#next;
    this.#next = (i + 1) % n;
    return eps[i]!;
  }

  #smooth(openOnly: boolean): E | undefined {
    const eps = this.endpoints;
    const weights = this.#weights;
    const current = this.#current;
    let best = -1;
    let total = 0;
    for (let i = 0; i < eps.length; i++) {
      if (openOnly && eps[i]!.status() !== 'open') continue;
      current[i]! += weights[i]!;
      total += weights[i]!;
      if (best < 0 || current[i]! > current[best]!) best = i;
    }
    if (best < 0) return undefined;
    current[best]! -= total;
    return eps[best];
  }
}
