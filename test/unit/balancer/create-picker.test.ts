import { describe, expect, it } from 'vitest';
import { ConfigValidationError, FakeClock, seededRandom } from '../../../src/core/index.js';
import { createPicker } from '../../../src/balancer/create-picker.js';
import { P2cPicker } from '../../../src/balancer/p2c.js';
import { RingHashPicker } from '../../../src/balancer/ring-hash.js';
import { RoundRobinPicker } from '../../../src/balancer/round-robin.js';
import type { BalancerConfig, LoadBalancerKind } from '../../../src/config/types.js';
import { fakeEndpoints } from '../../helpers/fake-balanceable.js';

const cfg = (kind: LoadBalancerKind, virtualNodes = 100): BalancerConfig => ({ kind, hashHeader: undefined, virtualNodes, decay: 10_000 });
const env = { random: seededRandom(1) };

describe('createPicker', () => {
  it('builds the picker each kind names', () => {
    const eps = fakeEndpoints(3, new FakeClock());
    expect(createPicker(cfg('p2c-ewma'), eps, env)).toBeInstanceOf(P2cPicker);
    expect(createPicker(cfg('least-request'), eps, env)).toBeInstanceOf(P2cPicker);
    expect(createPicker(cfg('round-robin'), eps, env)).toBeInstanceOf(RoundRobinPicker);
    expect(createPicker(cfg('ring-hash'), eps, env)).toBeInstanceOf(RingHashPicker);
  });

  it('takes a frozen snapshot that later edits of the caller’s array do not reach', () => {
    const eps = fakeEndpoints(3, new FakeClock());
    const picker = createPicker(cfg('round-robin'), eps, env);
    eps.pop();
    expect(picker.endpoints).toHaveLength(3);
    expect(Object.isFrozen(picker.endpoints)).toBe(true);
    const frozen = Object.freeze(fakeEndpoints(2, new FakeClock()));
    expect(createPicker(cfg('p2c-ewma'), frozen, env).endpoints).toBe(frozen);
  });

  it('puts virtualNodes × weight points per endpoint on the ring', () => {
    const eps = fakeEndpoints(3, new FakeClock(), (i) => i + 1);
    const ring = createPicker(cfg('ring-hash', 10), eps, env) as RingHashPicker<(typeof eps)[number]>;
    expect(ring.size).toBe(10 * (1 + 2 + 3));
  });

  it('refuses an unknown kind and a ring without points', () => {
    const eps = fakeEndpoints(2, new FakeClock());
    expect(() => createPicker(cfg('nope' as LoadBalancerKind), eps, env)).toThrow(ConfigValidationError);
    expect(() => createPicker(cfg('ring-hash', 0), eps, env)).toThrow(ConfigValidationError);
  });
});
