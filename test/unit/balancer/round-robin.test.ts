import { describe, expect, it } from 'vitest';
import { FakeClock, seededRandom } from '../../../src/core/index.js';
import { createPicker } from '../../../src/balancer/create-picker.js';
import type { BalancerConfig } from '../../../src/config/types.js';
import { FakeBalanceable, fakeEndpoints } from '../../helpers/fake-balanceable.js';

const cfg: BalancerConfig = { kind: 'round-robin', hashHeader: undefined, virtualNodes: 100, decay: 10_000 };
const env = { random: seededRandom(1) };

function named(weights: Record<string, number>) {
  const clock = new FakeClock();
  return Object.entries(weights).map(([name, weight]) => new FakeBalanceable(name, { clock, weight }));
}

function sequence(picker: { pick(): FakeBalanceable | undefined }, n: number): string {
  return Array.from({ length: n }, () => picker.pick()!.address).join('');
}

describe('round-robin', () => {
  it('rotates through equal endpoints in order', () => {
    const picker = createPicker(cfg, named({ a: 1, b: 1, c: 1 }), env);
    expect(sequence(picker, 7)).toBe('abcabca');
  });

  it('interleaves weights smoothly (nginx: 5,1,1 gives aabacaa)', () => {
    const picker = createPicker(cfg, named({ a: 5, b: 1, c: 1 }), env);
    expect(sequence(picker, 14)).toBe('aabacaa'.repeat(2));
  });

  it('gives exact proportions over every cycle of Σweight picks', () => {
    const weights = { a: 3, b: 7, c: 1, d: 4 } as const;
    const picker = createPicker(cfg, named(weights), env);
    for (let cycle = 0; cycle < 5; cycle++) {
      const counts: Record<string, number> = {};
      for (const x of sequence(picker, 15)) counts[x] = (counts[x] ?? 0) + 1;
      expect(counts).toEqual(weights);
    }
  });

  it('skips endpoints that are not open, and shares their turns by weight', () => {
    const endpoints = named({ a: 2, b: 5, c: 1 });
    endpoints[1]!.state = 'busy';
    const picker = createPicker(cfg, endpoints, env);
    const picks = sequence(picker, 30);
    expect(picks).not.toContain('b');
    expect(picks.split('a').length - 1).toBe(20);

    const equal = named({ x: 1, y: 1, z: 1 });
    equal[1]!.state = 'closed';
    expect(sequence(createPicker(cfg, equal, env), 4)).toBe('xzxz');
  });

  it('still rotates when nothing is open', () => {
    const endpoints = fakeEndpoints(3, new FakeClock());
    for (const e of endpoints) e.state = 'busy';
    const picker = createPicker(cfg, endpoints, env);
    expect([picker.pick(), picker.pick(), picker.pick()]).toEqual(endpoints);
  });

  it('handles one and zero endpoints', () => {
    const [only] = fakeEndpoints(1, new FakeClock());
    expect(createPicker(cfg, [only!], env).pick()).toBe(only);
    expect(createPicker(cfg, [], env).pick()).toBeUndefined();
  });
});
