import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/index.js';
import { RetryBudget } from '../../../src/resilience/retry-budget.js';

describe('RetryBudget', () => {
  it('allows minRetriesPerSecond × ttl retries with no calls at all', () => {
    const b = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 10 }, new FakeClock());
    expect(b.balance()).toBe(100);
    let n = 0;
    while (b.tryWithdraw()) n++;
    expect(n).toBe(100);
    expect(b.balance()).toBe(0);
  });

  it('earns one retry per 1/ratio calls', () => {
    const b = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 0 }, new FakeClock());
    for (let i = 0; i < 4; i++) b.deposit();
    expect(b.tryWithdraw()).toBe(false);
    b.deposit();
    expect(b.balance()).toBe(1);
    expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(false);
  });

  it('forgets deposits and withdrawals after ttl', () => {
    const clock = new FakeClock();
    const b = new RetryBudget({ ratio: 1, minRetriesPerSecond: 1, ttl: 5000 }, clock);
    for (let i = 0; i < 10; i++) b.deposit();
    expect(b.balance()).toBe(15);
    for (let i = 0; i < 15; i++) expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(false);
    clock.advance(5000);
    expect(b.balance()).toBe(5); // the reserve is back, the deposits gone
  });

  it('with 100% failures at ratio 0.2, retries stay within 0.2 × calls + min × seconds (attempts ≤ 1.25 × calls)', () => {
    const clock = new FakeClock();
    const min = 1;
    const b = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: min, ttl: 10_000 }, clock);
    const seconds = 60;
    const rps = 100;
    let calls = 0;
    let retries = 0;
    for (let i = 0; i < seconds * rps; i++) {
      b.deposit();
      calls++;
      // Each call fails every attempt and would retry twice (attempts: 3) if the budget allowed.
      for (let r = 0; r < 2 && b.tryWithdraw(); r++) retries++;
      clock.advance(1000 / rps);
    }
    const ttlSeconds = 10;
    expect(retries).toBeLessThanOrEqual(0.2 * calls + min * (seconds + ttlSeconds));
    expect(retries).toBeGreaterThanOrEqual(0.2 * calls * 0.95); // the budget is used, not just bounded
    expect((calls + retries) / calls).toBeLessThanOrEqual(1.25);
  });

  it('with ratio 0 leaves only the minimum', () => {
    const clock = new FakeClock();
    const b = new RetryBudget({ ratio: 0, minRetriesPerSecond: 0 }, clock);
    for (let i = 0; i < 1000; i++) b.deposit();
    expect(b.tryWithdraw()).toBe(false);
  });

  it('builds from a retries config and checks its options', () => {
    const b = RetryBudget.fromConfig({ budget: 0.5, minRetriesPerSecond: 2 }, new FakeClock());
    expect([b.ratio, b.minRetriesPerSecond, b.ttl]).toEqual([0.5, 2, 10_000]);
    expect(() => new RetryBudget({ ratio: -1, minRetriesPerSecond: 0 }, new FakeClock())).toThrow(RangeError);
    expect(() => new RetryBudget({ ratio: 0.2, minRetriesPerSecond: -1 }, new FakeClock())).toThrow(RangeError);
    expect(() => new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1, ttl: 100 }, new FakeClock())).toThrow(RangeError);
  });
});
