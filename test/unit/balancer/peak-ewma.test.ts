import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/index.js';
import { DEFAULT_RTT_MS, DEFAULT_STALE_AFTER_MS, MAX_PENALTY_MS, PeakEwma } from '../../../src/balancer/peak-ewma.js';

const TAU = 1000;

/** Estimates never go stale here, so the decay arithmetic can be checked on its own; aging has its own tests. */
function setup(defaultRtt?: number, staleAfter = Infinity) {
  const clock = new FakeClock(5_000);
  const ewma = new PeakEwma({ decay: TAU, clock, defaultRtt, staleAfter });
  return { clock, ewma };
}

describe('PeakEwma', () => {
  it('costs nothing before its first sample, so a new endpoint is tried at once, and the default RTT (30 ms, as Linkerd) while that try is in flight', () => {
    const { ewma } = setup();
    expect(DEFAULT_RTT_MS).toBe(30);
    expect(ewma.pending).toBe(0);
    expect(ewma.cost()).toBe(0);
    ewma.start();
    expect(ewma.cost()).toBe(60);
    const other = setup(7).ewma;
    other.start();
    expect(other.cost()).toBe(14);
  });

  it('replaces the default with the first real sample, then blends', () => {
    const { clock, ewma } = setup(30);
    clock.advance(1);
    ewma.observe(2);
    expect(ewma.rtt()).toBe(2);
    clock.advance(1);
    ewma.observe(1);
    expect(ewma.rtt()).toBeGreaterThan(1.99);
  });

  it('blends a lower sample by w = exp(-Δt/decay)', () => {
    const { clock, ewma } = setup(30);
    ewma.observe(100); // the first sample, which replaces the default
    clock.advance(TAU); // w = 1/e
    ewma.observe(10);
    const w = Math.exp(-1);
    expect(ewma.rtt()).toBeCloseTo(100 * w + 10 * (1 - w), 10);

    clock.advance(TAU / 2);
    const before = ewma.rtt() / Math.exp(-0.5); // the stored estimate
    ewma.observe(5);
    const w2 = Math.exp(-0.5);
    expect(ewma.rtt()).toBeCloseTo(before * w2 + 5 * (1 - w2), 10);
  });

  it('ignores a lower sample taken at the same instant as the last one (w = 1)', () => {
    const { ewma } = setup(30);
    ewma.observe(50);
    ewma.observe(1);
    expect(ewma.cost()).toBe(50);
  });

  it('jumps to a sample above the average at once (the peak), then decays towards zero', () => {
    const { clock, ewma } = setup(20);
    clock.advance(1);
    ewma.observe(400);
    expect(ewma.cost()).toBe(400);
    clock.advance(TAU);
    expect(ewma.cost()).toBeCloseTo(400 * Math.exp(-1), 10);
    clock.advance(2 * TAU);
    expect(ewma.cost()).toBeCloseTo(400 * Math.exp(-3), 10);
  });

  it('cost() only reads: interleaved reads do not change what samples do', () => {
    const a = setup(100);
    const b = setup(100);
    for (const [dt, rtt] of [
      [300, 40],
      [10, 500],
      [700, 20],
      [50, 60],
    ] as const) {
      a.clock.advance(dt);
      b.clock.advance(dt);
      for (let i = 0; i < 10; i++) b.ewma.cost();
      a.ewma.observe(rtt);
      b.ewma.observe(rtt);
      expect(b.ewma.cost()).toBe(a.ewma.cost());
    }
  });

  it('multiplies the estimate by pending + 1', () => {
    const { ewma } = setup(10);
    ewma.start();
    ewma.start();
    ewma.start();
    expect(ewma.pending).toBe(3);
    expect(ewma.cost()).toBe(40);
  });

  it('start() returns the clock time and end() records now - start as the RTT', () => {
    const { clock, ewma } = setup(10);
    const t = ewma.start();
    expect(t).toBe(5_000);
    clock.advance(250);
    ewma.end(t);
    expect(ewma.pending).toBe(0);
    expect(ewma.cost()).toBe(250); // a peak
  });

  it('never counts pending below zero', () => {
    const { clock, ewma } = setup(10);
    ewma.end(clock.now());
    ewma.end(clock.now());
    expect(ewma.pending).toBe(0);
    ewma.start();
    expect(ewma.pending).toBe(1);
  });

  it('ignores negative and NaN samples', () => {
    const { clock, ewma } = setup(10);
    clock.advance(TAU);
    ewma.observe(-5);
    ewma.observe(Number.NaN);
    expect(ewma.rtt()).toBeCloseTo(10 * Math.exp(-1), 10);
  });

  it('penalize() adds the time left of the penalty to the cost, which falls to the plain cost when it ends', () => {
    const { clock, ewma } = setup(10);
    ewma.observe(10);
    ewma.penalize(100);
    expect(ewma.cost()).toBe(110);
    clock.advance(60);
    expect(ewma.cost()).toBeCloseTo(10 * Math.exp(-60 / TAU) + 40, 10);
    clock.advance(40);
    expect(ewma.cost()).toBeCloseTo(10 * Math.exp(-100 / TAU), 10);
  });

  it('never lets a shorter penalty cut a longer one short, and caps any penalty at MAX_PENALTY_MS', () => {
    const { clock, ewma } = setup(10);
    ewma.observe(10);
    ewma.penalize(1e308);
    expect(ewma.cost() - 10).toBe(MAX_PENALTY_MS);
    ewma.penalize(5);
    expect(ewma.cost() - 10).toBe(MAX_PENALTY_MS);
    ewma.penalize(Number.NaN);
    ewma.penalize(-1);
    clock.advance(MAX_PENALTY_MS);
    expect(ewma.cost()).toBeLessThan(10);
  });

  it('refuses a non-positive decay or staleAfter', () => {
    expect(() => new PeakEwma({ decay: 0, clock: new FakeClock() })).toThrow(RangeError);
    expect(() => new PeakEwma({ decay: 1, staleAfter: 0, clock: new FakeClock() })).toThrow(RangeError);
  });
});

describe('PeakEwma aging', () => {
  const STALE = DEFAULT_STALE_AFTER_MS;
  const make = () => {
    const clock = new FakeClock(5_000);
    return { clock, ewma: new PeakEwma({ decay: 10_000, clock }) };
  };

  it('keeps an estimate while samples are fresh', () => {
    const { clock, ewma } = make();
    ewma.observe(40);
    clock.advance(STALE - 1);
    expect(ewma.cost()).toBeGreaterThan(39);
  });

  it('costs nothing once its last sample is staleAfter old and nothing is in flight, so the balancer probes it', () => {
    const { clock, ewma } = make();
    ewma.observe(40);
    clock.advance(STALE);
    expect(ewma.cost()).toBe(0);
  });

  it('holds the old estimate while the probe is in flight, so a slow endpoint gets one probe, not a flood', () => {
    const { clock, ewma } = make();
    ewma.observe(40);
    clock.advance(STALE);
    const t = ewma.start();
    expect(ewma.cost()).toBeGreaterThan(2 * 39);
    clock.advance(1);
    ewma.end(t);
    // The probe's sample replaces the stale estimate instead of being blended into it.
    expect(ewma.rtt()).toBe(1);
  });

  it('lets an endpoint whose first sample was slow recover on its next one', () => {
    const { clock, ewma } = make();
    ewma.observe(40); // paid for a connection set-up
    clock.advance(STALE);
    ewma.observe(0.5);
    expect(ewma.rtt()).toBe(0.5);
  });

  it('does not probe an endpoint during a penalty: the probe waits for it to end', () => {
    const { clock, ewma } = make();
    ewma.observe(1);
    ewma.penalize(1_000);
    clock.advance(STALE);
    expect(ewma.cost()).toBe(1_000 - STALE);
    clock.advance(1_000);
    expect(ewma.cost()).toBe(0);
  });
});

describe('PeakEwma probe slowdown', () => {
  it('waits probeSlowdown times staleAfter before probing an endpoint known to be busy', () => {
    const clock = new FakeClock(5_000);
    const ewma = new PeakEwma({ decay: 10_000, clock });
    ewma.observe(2);
    clock.advance(DEFAULT_STALE_AFTER_MS);
    expect(ewma.cost()).toBe(0);
    expect(ewma.cost(10)).toBeGreaterThan(1.9);
    clock.advance(9 * DEFAULT_STALE_AFTER_MS);
    expect(ewma.cost(10)).toBe(0);
  });
});
