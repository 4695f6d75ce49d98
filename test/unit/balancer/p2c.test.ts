import { describe, expect, it } from 'vitest';
import { FakeClock, seededRandom } from '../../../src/core/index.js';
import { createPicker } from '../../../src/balancer/create-picker.js';
import type { BalancerConfig } from '../../../src/config/types.js';
import { FakeBalanceable, fakeEndpoints } from '../../helpers/fake-balanceable.js';

const ewmaCfg: BalancerConfig = { kind: 'p2c-ewma', hashHeader: undefined, virtualNodes: 100, decay: 10_000 };
const leastCfg: BalancerConfig = { ...ewmaCfg, kind: 'least-request' };

/**
 * Open-loop traffic on the fake clock: one call per ms, each finishing after its endpoint's latency,
 * so pending counts and EWMAs evolve as they would under real load.
 */
function simulate(cfg: BalancerConfig, latencies: number[], calls: number, seed = 1) {
  const clock = new FakeClock();
  const endpoints = fakeEndpoints(latencies.length, clock);
  const picker = createPicker(cfg, endpoints, { random: seededRandom(seed) });
  const counts = new Map<FakeBalanceable, number>(endpoints.map((e) => [e, 0]));
  for (let i = 0; i < calls; i++) {
    clock.advance(1);
    const e = picker.pick()!;
    counts.set(e, counts.get(e)! + 1);
    const t = e.ewma.start();
    clock.setTimeout(() => e.ewma.end(t), latencies[endpoints.indexOf(e)]!);
  }
  return endpoints.map((e) => counts.get(e)! / calls);
}

describe('p2c-ewma', () => {
  it('sends much less traffic to an endpoint 10× slower than the rest', () => {
    const shares = simulate(ewmaCfg, [10, 10, 10, 100], 10_000);
    // A uniform balancer would give it 25 %.
    expect(shares[3]).toBeLessThan(0.05);
    for (const s of shares.slice(0, 3)) expect(s).toBeGreaterThan(0.28);
  });

  it('spreads traffic evenly over equal endpoints', () => {
    const shares = simulate(ewmaCfg, [20, 20, 20, 20], 20_000, 7);
    for (const s of shares) {
      expect(s).toBeGreaterThan(0.22);
      expect(s).toBeLessThan(0.28);
    }
  });

  it('spreads picks evenly when every cost ties', () => {
    const clock = new FakeClock();
    const endpoints = fakeEndpoints(5, clock);
    const picker = createPicker(ewmaCfg, endpoints, { random: seededRandom(3) });
    const counts = new Map<unknown, number>();
    for (let i = 0; i < 50_000; i++) {
      const e = picker.pick();
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    for (const e of endpoints) expect(counts.get(e)! / 50_000).toBeCloseTo(0.2, 1);
  });

  it('avoids busy and closed endpoints while an open one exists', () => {
    const clock = new FakeClock();
    const endpoints = fakeEndpoints(4, clock);
    endpoints[0]!.state = 'busy';
    endpoints[1]!.state = 'closed';
    endpoints[3]!.state = 'busy';
    // Make the open one look the worst by load: status still wins.
    endpoints[2]!.ewma.observe(5_000);
    const picker = createPicker(ewmaCfg, endpoints, { random: seededRandom(11) });
    for (let i = 0; i < 2_000; i++) expect(picker.pick()).toBe(endpoints[2]);
  });

  it('finds the last open endpoint among many busy ones (fallback scan)', () => {
    const clock = new FakeClock();
    const endpoints = fakeEndpoints(50, clock);
    for (const e of endpoints) e.state = 'busy';
    endpoints[37]!.state = 'open';
    const picker = createPicker(ewmaCfg, endpoints, { random: seededRandom(5) });
    for (let i = 0; i < 500; i++) expect(picker.pick()).toBe(endpoints[37]);
  });

  it('with nothing open, prefers a busy endpoint to a closed one, and still answers when all are closed', () => {
    const clock = new FakeClock();
    const endpoints = fakeEndpoints(4, clock);
    for (const e of endpoints) e.state = 'closed';
    endpoints[1]!.state = 'busy';
    const picker = createPicker(ewmaCfg, endpoints, { random: seededRandom(2) });
    for (let i = 0; i < 200; i++) expect(picker.pick()).toBe(endpoints[1]);
    endpoints[1]!.state = 'closed';
    for (let i = 0; i < 200; i++) expect(endpoints).toContain(picker.pick());
  });

  it('picks the only endpoint whatever its state, and nothing from an empty list', () => {
    const clock = new FakeClock();
    const [only] = fakeEndpoints(1, clock);
    only!.state = 'closed';
    expect(createPicker(ewmaCfg, [only!], { random: seededRandom(1) }).pick()).toBe(only);
    expect(createPicker(ewmaCfg, [], { random: seededRandom(1) }).pick()).toBeUndefined();
  });

  it('divides load by weight', () => {
    const clock = new FakeClock();
    const light = new FakeBalanceable('a:1', { clock, weight: 1 });
    const heavy = new FakeBalanceable('b:1', { clock, weight: 4 });
    // Both measured at 30 ms.
    light.ewma.observe(30);
    heavy.ewma.observe(30);
    heavy.ewma.start();
    heavy.ewma.start(); // heavy: 30 × 3 / 4 = 22.5 < light: 30
    const picker = createPicker(ewmaCfg, [light, heavy], { random: seededRandom(1) });
    for (let i = 0; i < 100; i++) expect(picker.pick()).toBe(heavy);
  });
});

/** Calls one at a time on the fake clock, each taking its endpoint's latency (or `first` on an endpoint's first call). */
function oneAtATime(latencies: number[], calls: number, seed: number, first?: (i: number) => number | undefined) {
  const clock = new FakeClock(1_000);
  const endpoints = fakeEndpoints(latencies.length, clock);
  const picker = createPicker(ewmaCfg, endpoints, { random: seededRandom(seed) });
  const counts = latencies.map(() => 0);
  for (let n = 0; n < calls; n++) {
    const i = endpoints.indexOf(picker.pick()!);
    const t = endpoints[i]!.ewma.start();
    clock.advance((counts[i] === 0 ? first?.(i) : undefined) ?? latencies[i]!);
    counts[i]!++;
    endpoints[i]!.ewma.end(t);
  }
  return counts.map((c) => c / calls);
}

describe('p2c-ewma at concurrency 1', () => {
  it('gives identical endpoints fair shares, even one whose first call was slow', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const shares = oneAtATime([1, 1, 1], 1_500, seed, (i) => (i === 0 ? 40 : 1.2 + i / 10));
      for (const s of shares) expect(s, `seed ${seed}: ${shares.join(' / ')}`).toBeGreaterThan(0.2);
    }
  });

  it('still sends few calls to an endpoint 10× slower (probes only)', () => {
    const shares = oneAtATime([1, 1, 1, 10], 5_000, 3);
    expect(shares[3]).toBeLessThan(0.08);
  });
});

describe('least-request', () => {
  it('prefers the endpoint with fewer calls in flight, whatever its latency', () => {
    const clock = new FakeClock();
    const fast = new FakeBalanceable('fast:1', { clock });
    const slow = new FakeBalanceable('slow:1', { clock });
    clock.advance(1);
    slow.ewma.observe(1_000);
    fast.ewma.start();
    fast.ewma.start();
    const least = createPicker(leastCfg, [fast, slow], { random: seededRandom(1) });
    const ewma = createPicker(ewmaCfg, [fast, slow], { random: seededRandom(1) });
    for (let i = 0; i < 100; i++) {
      expect(least.pick()).toBe(slow);
      expect(ewma.pick()).toBe(fast);
    }
  });

  it('keeps calls in flight level across endpoints', () => {
    const clock = new FakeClock();
    const endpoints = fakeEndpoints(8, clock);
    const picker = createPicker(leastCfg, endpoints, { random: seededRandom(9) });
    for (let i = 0; i < 4_000; i++) picker.pick()!.ewma.start();
    const pending = endpoints.map((e) => e.pending());
    expect(pending.reduce((a, b) => a + b, 0)).toBe(4_000);
    expect(Math.max(...pending) - Math.min(...pending)).toBeLessThanOrEqual(4);
  });

  it('gives a 4:1 weighted endpoint about four times the calls in flight', () => {
    const clock = new FakeClock();
    const endpoints = [new FakeBalanceable('a:1', { clock, weight: 4 }), new FakeBalanceable('b:1', { clock, weight: 1 })];
    const picker = createPicker(leastCfg, endpoints, { random: seededRandom(4) });
    for (let i = 0; i < 5_000; i++) picker.pick()!.ewma.start();
    expect(endpoints[0]!.pending() / endpoints[1]!.pending()).toBeCloseTo(4, 1);
  });
});
