import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { formatLoadReport, parseLoadReport } from '../../../src/core/mesh-headers.js';
import { LoadReporter } from '../../../src/server/load-reporter.js';

describe('LoadReporter', () => {
  it('formats as formatLoadReport does, so clients parse it', () => {
    const clock = new FakeClock();
    const load = new LoadReporter(clock, () => 0.4236);
    expect(load.value(7, clock.now())).toBe(formatLoadReport(7, 0.4236));
    expect(parseLoadReport(load.value(3, clock.now()))).toEqual({ inflight: 3, elu: 0.424 });
  });

  it('samples event-loop utilisation at most every 100 ms, not per request', () => {
    const clock = new FakeClock();
    let samples = 0;
    const load = new LoadReporter(clock, () => ++samples / 10);
    for (let i = 0; i < 1000; i++) load.value(i, clock.now());
    expect(samples).toBe(1);
    clock.advance(99);
    load.value(1, clock.now());
    expect(samples).toBe(1);
    clock.advance(1);
    expect(load.value(1, clock.now())).toBe('inflight=1;elu=0.200');
    expect(samples).toBe(2);
  });

  it('clamps a sampler that strays outside 0..1', () => {
    const clock = new FakeClock();
    expect(new LoadReporter(clock, () => 1.7).value(0, clock.now())).toBe('inflight=0;elu=1.000');
    expect(new LoadReporter(clock, () => -1).value(0, clock.now())).toBe('inflight=0;elu=0.000');
  });
});

describe('eventLoopSampler', () => {
  it('starts from its first call, not from process start, and stays within 0..1', async () => {
    const { eventLoopSampler } = await import('../../../src/server/load-reporter.js');
    const sample = eventLoopSampler();
    expect(sample()).toBe(0);
    const until = performance.now() + 20;
    while (performance.now() < until); // keep the loop busy
    const busy = sample();
    expect(busy).toBeGreaterThan(0.5);
    expect(busy).toBeLessThanOrEqual(1);
  });
});
