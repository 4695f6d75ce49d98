import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { TokenBucket } from '../../../src/server/token-bucket.js';
import { RateLimiter } from '../../../src/server/rate-limiter.js';

describe('TokenBucket', () => {
  it('allows a burst, then one token per 1/rate seconds, and says how long to wait', () => {
    const clock = new FakeClock(1000);
    const b = new TokenBucket(10, 3, clock.now());
    expect([b.take(clock.now()), b.take(clock.now()), b.take(clock.now())]).toEqual([0, 0, 0]);
    expect(b.take(clock.now())).toBeCloseTo(100);
    clock.advance(40);
    expect(b.take(clock.now())).toBeCloseTo(60);
    clock.advance(60);
    expect(b.take(clock.now())).toBe(0);
    expect(b.take(clock.now())).toBeCloseTo(100);
  });

  it('never holds more than the burst', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(100, 2, clock.now());
    clock.advance(60_000);
    expect([b.take(clock.now()), b.take(clock.now())]).toEqual([0, 0]);
    expect(b.take(clock.now())).toBeGreaterThan(0);
    expect(b.full(clock.now())).toBe(false);
    clock.advance(20);
    expect(b.full(clock.now())).toBe(true);
  });

  it('keeps its tokens across a reconfigure, capped at the new burst', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(1, 10, clock.now());
    b.reconfigure(1, 2, clock.now());
    expect([b.take(clock.now()), b.take(clock.now())]).toEqual([0, 0]);
    expect(b.take(clock.now())).toBeGreaterThan(0);
  });
});

describe('RateLimiter', () => {
  it('shares one bucket across callers by default', () => {
    const clock = new FakeClock();
    const r = new RateLimiter({ rps: 1, burst: 2, perCaller: false }, clock.now());
    expect([r.take('a', clock.now()), r.take('b', clock.now())]).toEqual([0, 0]);
    expect(r.take('c', clock.now())).toBeGreaterThan(0);
  });

  it('gives each caller its own bucket with perCaller', () => {
    const clock = new FakeClock();
    const r = new RateLimiter({ rps: 1, burst: 2, perCaller: true }, clock.now());
    const a = [1, 2, 3].map(() => r.take('a', clock.now()));
    const b = [1, 2].map(() => r.take('b', clock.now()));
    expect(a.map((w) => w > 0)).toEqual([false, false, true]);
    expect(b).toEqual([0, 0]);
    expect(r.callers).toBe(2);
  });

  it('forgets refilled callers rather than growing without bound', () => {
    const clock = new FakeClock();
    const r = new RateLimiter({ rps: 1000, burst: 1, perCaller: true }, clock.now());
    for (let i = 0; i < 10_000; i++) r.take(`caller-${i}`, clock.now());
    expect(r.callers).toBe(10_000);
    clock.advance(10); // every bucket has refilled
    r.take('newcomer', clock.now());
    expect(r.callers).toBe(1);
  });

  it('checks its settings when made', () => {
    expect(() => new RateLimiter({ rps: 0, burst: 1, perCaller: false }, 0)).toThrow(/rps/);
    expect(() => new RateLimiter({ rps: 1, burst: 0, perCaller: false }, 0)).toThrow(/burst/);
  });
});
