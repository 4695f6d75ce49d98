import { describe, expect, it } from 'vitest';
import type { ServiceStats } from '../../../src/index.js';
import { steeringClaim } from '../../../src/demo/steering-claim.js';

function orders(...requests: number[]): ServiceStats {
  const none = { failures: 0, p50: 1, p90: 1, p95: 1, p99: 1 };
  const calls = requests.reduce((a, b) => a + b, 0);
  return {
    service: 'orders',
    requests: calls,
    successRate: calls === 0 ? NaN : 1,
    rps: calls,
    routes: [],
    ...none,
    endpoints: requests.map((n, i) => ({ address: `127.0.0.1:${8081 + i}`, labels: {}, pending: 0, requests: n, ...none })),
  };
}

describe('steeringClaim', () => {
  it('claims that p2c steered around the slow instance only when it got clearly less than an even share', () => {
    expect(steeringClaim(orders(450, 450, 100), '127.0.0.1:8083', 50)).toBe(
      'orders: p2c peak-EWMA steered around the instance that adds 50 ms: it got 10.00% of 1000 attempts (an even split is 33.33%).',
    );
  });

  it('gives the numbers without the claim when the slow instance got about its share or more', () => {
    for (const stats of [orders(340, 340, 320), orders(270, 270, 460), orders(385, 385, 230)]) {
      const said = steeringClaim(stats, '127.0.0.1:8083', 50);
      expect(said).not.toMatch(/steered/);
      expect(said).toMatch(/did not clearly avoid it/);
    }
  });

  it('says nothing about balancing when no call was made', () => {
    expect(steeringClaim(orders(0, 0, 0), '127.0.0.1:8083', 50)).toMatch(/no calls were made/);
    expect(steeringClaim(undefined, '127.0.0.1:8083', 50)).toMatch(/no calls were made/);
  });
});
