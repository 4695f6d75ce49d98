import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/index.js';
import { backoffDelay } from '../../../src/resilience/backoff.js';

describe('backoffDelay', () => {
  const cfg = { base: 25, max: 250 };

  it('doubles its ceiling per attempt up to max', () => {
    const top = () => 0.999999;
    const ceilings = [1, 2, 3, 4, 5, 6, 60].map((n) => Math.round(backoffDelay(n, cfg, top)));
    expect(ceilings).toEqual([25, 50, 100, 200, 250, 250, 250]);
    expect(backoffDelay(3, cfg, () => 0)).toBe(0);
  });

  it('draws uniformly below the ceiling (full jitter)', () => {
    const random = seededRandom(7);
    const xs = Array.from({ length: 10_000 }, () => backoffDelay(2, cfg, random));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(50);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(24);
    expect(mean).toBeLessThan(26);
  });

  it('is zero with a zero base', () => {
    expect(backoffDelay(4, { base: 0, max: 0 }, Math.random)).toBe(0);
  });
});
