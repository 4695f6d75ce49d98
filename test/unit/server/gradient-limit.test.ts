import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { GradientLimit } from '../../../src/server/gradient-limit.js';

const cfg = { initialLimit: 20, minLimit: 5, maxLimit: 100, tolerance: 1.5, window: 100 };

/** Feeds `windows` windows of `perWindow` samples at `rttMs`, with `inflight` running. */
function feed(limit: GradientLimit, clock: FakeClock, windows: number, rttMs: number | (() => number), inflight: () => number, perWindow = 20): void {
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < perWindow; i++) {
      clock.advance(100 / perWindow);
      limit.sample(typeof rttMs === 'number' ? rttMs : rttMs(), inflight(), clock.now());
    }
  }
}

describe('GradientLimit', () => {
  it('grows towards the maximum while latency holds and the limit is in use', () => {
    const clock = new FakeClock();
    const limit = new GradientLimit(cfg, clock.now());
    expect(limit.limit).toBe(20);
    feed(limit, clock, 50, 10, () => limit.limit);
    const after50 = limit.limit;
    expect(after50).toBeGreaterThan(40);
    feed(limit, clock, 200, 10, () => limit.limit);
    expect(limit.limit).toBe(100);
  });

  it('does not grow while the service uses less than half of the limit', () => {
    const clock = new FakeClock();
    const limit = new GradientLimit(cfg, clock.now());
    feed(limit, clock, 100, 10, () => 3);
    expect(limit.limit).toBe(20);
  });

  it('shrinks when latency climbs above the long-term latency', () => {
    const clock = new FakeClock();
    const limit = new GradientLimit(cfg, clock.now());
    feed(limit, clock, 30, 10, () => limit.limit); // long-term latency settles near 10 ms
    const before = limit.limit;
    feed(limit, clock, 5, 40, () => limit.limit); // queueing: 4× the usual latency
    expect(limit.limit).toBeLessThan(before);
    // Halving each window plus the headroom of 4 settles at 8 (0.9 L + 0.8 = L).
    feed(limit, clock, 60, 400, () => limit.limit);
    expect(limit.limit).toBe(8);
  });

  it('never goes below minLimit', () => {
    const clock = new FakeClock();
    const limit = new GradientLimit({ ...cfg, minLimit: 12 }, clock.now());
    feed(limit, clock, 30, 10, () => limit.limit);
    feed(limit, clock, 60, 400, () => limit.limit);
    expect(limit.limit).toBe(12);
  });

  it('needs a whole window (time and samples) before it moves', () => {
    const clock = new FakeClock();
    const limit = new GradientLimit(cfg, clock.now());
    for (let i = 0; i < 9; i++) {
      clock.advance(50);
      limit.sample(1000, 20, clock.now());
    }
    expect(limit.longRtt).toBe(0);
    limit.sample(1000, 20, clock.now());
    expect(limit.longRtt).toBe(1000);
  });
});
