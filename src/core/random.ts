/** A source of numbers in [0, 1): `Math.random` in production, a seeded one in tests. */
export type Random = () => number;

/**
 * A small seeded generator (mulberry32) so balancer tests are repeatable.
 *
 * @example
 * const random = seededRandom(42);
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
