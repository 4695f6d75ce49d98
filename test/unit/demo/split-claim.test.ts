import { describe, expect, it } from 'vitest';
import type { ServiceStats } from '../../../src/index.js';
import { attemptsByVersion, countsSince, formatSplit, splitClaim } from '../../../src/demo/split-claim.js';

const from = { v1: 100, v2: 0 };
const to = { v1: 50, v2: 50 };
const counts = (v1: number, v2: number) => new Map([['v1', v1], ['v2', v2]]);

function orders(...endpoints: [version: string, requests: number][]): ServiceStats {
  const none = { failures: 0, p50: 1, p90: 1, p95: 1, p99: 1 };
  return {
    service: 'orders',
    requests: 0,
    successRate: NaN,
    rps: 0,
    routes: [],
    ...none,
    endpoints: endpoints.map(([version, requests], i) => ({ address: `127.0.0.1:${8081 + i}`, labels: { version }, pending: 0, requests, ...none })),
  };
}

describe('the measured orders split', () => {
  it('counts attempts per version label, and those made between two readings', () => {
    const before = attemptsByVersion(orders(['v1', 10], ['v1', 5]));
    const after = attemptsByVersion(orders(['v1', 60], ['v1', 55], ['v2', 100]));
    expect([...countsSince(before, after)]).toEqual([['v1', 100], ['v2', 100]]);
    expect(formatSplit(countsSince(before, after))).toBe('v1 50.00% / v2 50.00% of 200 attempts');
    expect(formatSplit(new Map())).toBe('no attempts');
  });

  it('claims the change only when both measurements are within four standard deviations of the weights', () => {
    expect(splitClaim(counts(200, 0), counts(90, 110), from, to)).toBe(
      'orders split: v2 got 0.00% of 200 attempts before the change and 55.00% of 200 attempts after it: the calls followed the split from 100/0 to 50/50, live, with no restart.',
    );
    // 4 sd of a 50% share over 200 attempts is 14.1 points.
    expect(splitClaim(counts(200, 0), counts(128, 72), from, to)).toMatch(/followed the split/);
    for (const [before, after] of [
      [counts(199, 1), counts(100, 100)], // a weight of 0 took a call
      [counts(200, 0), counts(130, 70)], // 35%: too far from 50
      [counts(200, 0), counts(200, 0)], // nothing moved
      [counts(200, 0), counts(0, 0)], // no calls after
    ] as const) {
      const said = splitClaim(before, after, from, to);
      expect(said).not.toMatch(/followed/);
      expect(said).toMatch(/not the weights applied \(100\/0, then 50\/50\)/);
    }
  });
});
