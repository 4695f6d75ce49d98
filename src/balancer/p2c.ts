import type { Random } from '../core/index.js';
import type { Balanceable, Picker } from './picker.js';

/** What P2C compares: peak-EWMA `load()` (p2c-ewma) or calls in flight `pending()` (Envoy's least-request). */
export type P2cMetric = 'load' | 'pending';

/** Rounds of two samples before scanning every endpoint for an open one. */
const SAMPLE_ROUNDS = 3;

/**
 * Power of two choices (Mitzenmacher; Finagle's and Linkerd's balancer): sample two distinct
 * endpoints, send to the one with the lower metric ÷ weight. Endpoints that are not `open`
 * (breaker open, ejected, closing) are sampled around, falling back to the cheapest open
 * endpoint, then the cheapest busy one, then any, so the caller always gets a candidate.
 *
 * @example
 * const picker = new P2cPicker(endpoints, { random: Math.random, metric: 'load' });
 * const endpoint = picker.pick();
 */
export class P2cPicker<E extends Balanceable> implements Picker<E> {
  readonly endpoints: readonly E[];
  readonly #random: Random;
  readonly #byPending: boolean;
  /** 1 / weight per endpoint, so a pick multiplies instead of dividing and never meets a 0 weight. */
  readonly #inverseWeight: Float64Array;

  constructor(endpoints: readonly E[], opts: { readonly random: Random; readonly metric: P2cMetric }) {
    this.endpoints = endpoints;
    this.#random = opts.random;
    this.#byPending = opts.metric === 'pending';
    this.#inverseWeight = new Float64Array(endpoints.length);
    for (let i = 0; i < endpoints.length; i++) {
      const w = endpoints[i]!.weight;
      this.#inverseWeight[i] = w > 0 && Number.isFinite(w) ? 1 / w : 1;
    }
  }

  pick(): E | undefined {
    const eps = this.endpoints;
    const n = eps.length;
    if (n <= 1) return eps[0];
    for (let round = 0; round < SAMPLE_ROUNDS; round++) {
      const a = Math.floor(this.#random() * n);
      // A second index drawn from the other n - 1, so the two samples always differ.
      const b = (a + 1 + Math.floor(this.#random() * (n - 1))) % n;
      const ea = eps[a]!;
      const eb = eps[b]!;
      const aOpen = ea.status() === 'open';
      const bOpen = eb.status() === 'open';
      // Ties go to `a`, which is uniformly random, so equal endpoints share traffic evenly.
      if (aOpen && bOpen) return this.#cost(b) < this.#cost(a) ? eb : ea;
      if (aOpen) return ea;
      if (bOpen) return eb;
    }
    return this.#cheapest('open') ?? this.#cheapest('busy') ?? eps[Math.floor(this.#random() * n)];
  }

  #cost(i: number): number {
    const e = this.endpoints[i]!;
    return (this.#byPending ? e.pending() : e.load()) * this.#inverseWeight[i]!;
  }

  /** Scans from a random start so ties do not always land on the first endpoint. */
  #cheapest(status: 'open' | 'busy'): E | undefined {
    const eps = this.endpoints;
    const n = eps.length;
    const start = Math.floor(this.#random() * n);
    let best = -1;
    let bestCost = Infinity;
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      if (eps[i]!.status() !== status) continue;
      const c = this.#cost(i);
      if (best < 0 || c < bestCost) {
        best = i;
        bestCost = c;
      }
    }
    return best < 0 ? undefined : eps[best];
  }
}
