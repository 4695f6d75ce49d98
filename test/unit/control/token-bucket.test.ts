import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/experimental.js';
import { TokenBucket } from '../../../src/control/identity/token-bucket.js';

describe('TokenBucket', () => {
  it('passes a burst, then one per 1/rate, and says how long to wait', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, clock);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(100);
    clock.advance(50);
    expect(bucket.take()).toBe(50);
    clock.advance(50);
    expect(bucket.take()).toBe(0);
    clock.advance(10_000);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0, 100]);
  });

  it('refuses a rate or burst that is not a positive number', () => {
    const clock = new FakeClock();
    expect(() => new TokenBucket({ perSecond: 0, burst: 1 }, clock)).toThrow(RangeError);
    expect(() => new TokenBucket({ perSecond: 1, burst: 0.5 }, clock)).toThrow(RangeError);
  });
});
