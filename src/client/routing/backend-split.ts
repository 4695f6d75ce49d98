import type { Random } from '../../core/index.js';
import type { Backend } from '../../config/types.js';

/**
 * Picks one of a route's backends by weight (canary, blue/green): a cumulative table built
 * once, one random draw per call.
 */
export class BackendSplit {
  readonly backends: readonly Backend[];
  readonly #cumulative: Float64Array;
  readonly #total: number;

  constructor(backends: readonly Backend[]) {
    if (backends.length === 0) throw new Error('a route needs at least one backend');
    this.backends = backends;
    this.#cumulative = new Float64Array(backends.length);
    let sum = 0;
    backends.forEach((b, i) => {
      sum += Math.max(0, b.weight);
      this.#cumulative[i] = sum;
    });
    this.#total = sum;
  }

  pick(random: Random): Backend {
    const b = this.backends;
    if (b.length === 1 || this.#total === 0) return b[0]!;
    const x = random() * this.#total;
    const c = this.#cumulative;
    for (let i = 0; i < c.length; i++) if (x < c[i]!) return b[i]!;
    return b[b.length - 1]!;
  }
}
