import { describe, expect, it } from 'vitest';
import { FakeClock, seededRandom } from '../../../src/core/index.js';
import { createPicker } from '../../../src/balancer/create-picker.js';
import type { BalancerConfig } from '../../../src/config/types.js';
import { FakeBalanceable, fakeEndpoints } from '../../helpers/fake-balanceable.js';

const cfg: BalancerConfig = { kind: 'ring-hash', hashHeader: 'x-user', virtualNodes: 100, decay: 10_000 };
const env = { random: seededRandom(1) };
const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function assign(endpoints: FakeBalanceable[]): Map<string, string> {
  const picker = createPicker(cfg, endpoints, env);
  return new Map(keys.map((k) => [k, picker.pick(k)!.address]));
}

describe('ring-hash', () => {
  it('maps a key to the same endpoint every time, whatever the list order', () => {
    const endpoints = fakeEndpoints(10, new FakeClock());
    const first = assign(endpoints);
    expect(assign(endpoints)).toEqual(first);
    expect(assign([...endpoints].reverse())).toEqual(first);
    expect(new Set(first.values()).size).toBe(10);
  });

  it('moves about 1/N of the keys when one of N endpoints leaves, and only its own', () => {
    const endpoints = fakeEndpoints(10, new FakeClock());
    const before = assign(endpoints);
    const removed = endpoints[4]!.address;
    const after = assign(endpoints.filter((e) => e.address !== removed));
    let moved = 0;
    for (const [key, was] of before) {
      if (after.get(key) === was) continue;
      moved++;
      expect(was).toBe(removed);
    }
    expect(moved / keys.length).toBeGreaterThan(0.5 / 10);
    expect(moved / keys.length).toBeLessThan(1.6 / 10);
  });

  it('moves about 1/(N+1) of the keys, all to the newcomer, when an endpoint joins', () => {
    const clock = new FakeClock();
    const endpoints = fakeEndpoints(9, clock);
    const before = assign(endpoints);
    const after = assign([...endpoints, new FakeBalanceable('10.0.1.1:80', { clock })]);
    let moved = 0;
    for (const [key, was] of before) {
      if (after.get(key) === was) continue;
      moved++;
      expect(after.get(key)).toBe('10.0.1.1:80');
    }
    expect(moved / keys.length).toBeGreaterThan(0.5 / 10);
    expect(moved / keys.length).toBeLessThan(1.6 / 10);
  });

  it('gives an endpoint a share of keys in proportion to its weight', () => {
    const endpoints = fakeEndpoints(5, new FakeClock(), (i) => (i === 0 ? 3 : 1));
    const owners = [...assign(endpoints).values()];
    const share = owners.filter((a) => a === endpoints[0]!.address).length / owners.length;
    expect(share).toBeGreaterThan(0.3); // 3/7 ≈ 0.43 expected, 1/5 without weights
    expect(share).toBeLessThan(0.55);
  });

  it('walks past endpoints that are not open, leaving every other key in place', () => {
    const endpoints = fakeEndpoints(10, new FakeClock());
    const before = assign(endpoints);
    endpoints[2]!.state = 'busy';
    const after = assign(endpoints);
    const spreadTo = new Set<string>();
    for (const [key, was] of before) {
      if (was === endpoints[2]!.address) {
        expect(after.get(key)).not.toBe(was);
        spreadTo.add(after.get(key)!);
      } else {
        expect(after.get(key)).toBe(was);
      }
    }
    // Its keys spread over its ring neighbours instead of piling onto one endpoint.
    expect(spreadTo.size).toBeGreaterThan(3);
  });

  it('still answers when no endpoint is open', () => {
    const endpoints = fakeEndpoints(3, new FakeClock());
    for (const e of endpoints) e.state = 'closed';
    const picker = createPicker(cfg, endpoints, env);
    expect(endpoints).toContain(picker.pick('k'));
  });

  it('places calls without a key at random over the ring', () => {
    const endpoints = fakeEndpoints(4, new FakeClock());
    const picker = createPicker(cfg, endpoints, { random: seededRandom(8) });
    const counts = new Map<unknown, number>();
    for (let i = 0; i < 20_000; i++) {
      const e = picker.pick();
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    for (const n of counts.values()) expect(n / 20_000).toBeGreaterThan(0.15);
  });

  it('handles one and zero endpoints', () => {
    const [only] = fakeEndpoints(1, new FakeClock());
    expect(createPicker(cfg, [only!], env).pick('k')).toBe(only);
    expect(createPicker(cfg, [], env).pick('k')).toBeUndefined();
  });
});
