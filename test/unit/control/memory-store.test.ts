import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/experimental.js';
import { MemoryStore } from '../../../src/control/store/memory-store.js';
import type { InstanceRecord } from '../../../src/control/store/control-store.js';

const instance = (address: string, o: Partial<InstanceRecord> = {}): InstanceRecord => ({
  service: 'orders',
  address,
  labels: {},
  meshed: true,
  protocols: ['http/1.1'],
  registeredAt: 1000,
  leaseMs: 5000,
  ...o,
});

describe('MemoryStore', () => {
  it('numbers configs from 1 and tells listeners', async () => {
    const store = new MemoryStore({ now: () => 42 });
    const heard: number[] = [];
    store.onConfig((c) => heard.push(c.version));
    expect(await store.putConfig('a: 1')).toEqual({ version: 1, yaml: 'a: 1', appliedAt: 42 });
    expect((await store.putConfig('a: 2')).version).toBe(2);
    expect(heard).toEqual([1, 2]);
  });

  it('a renewal keeps the version and registeredAt; a change of labels moves it', async () => {
    const store = new MemoryStore({ clock: new FakeClock() });
    const heard: string[] = [];
    store.onInstances((s) => heard.push(s));
    expect(await store.upsertInstance(instance('a:1'))).toEqual({ version: 1 });
    expect(await store.upsertInstance(instance('a:1', { registeredAt: 9999 }))).toEqual({ version: 1 });
    expect(store.instances('orders').instances[0]!.registeredAt).toBe(1000);
    expect(await store.upsertInstance(instance('a:1', { labels: { zone: 'b' } }))).toEqual({ version: 2 });
    expect(heard).toEqual(['orders', 'orders']);
    expect(store.services()).toEqual(['orders']);
  });

  it('a lease lapses when not renewed in time, and a renewal pushes the lapse back', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    await store.upsertInstance(instance('a:1'));
    clock.advance(4999);
    await store.upsertInstance(instance('a:1'));
    clock.advance(4999);
    expect(store.instances('orders').instances).toHaveLength(1);
    clock.advance(1);
    expect(store.instances('orders')).toEqual({ version: 2, instances: [] });
    expect(store.services()).toEqual([]);
    // The version goes on from where it was: a watcher never sees an old number again.
    expect(await store.upsertInstance(instance('a:1'))).toEqual({ version: 3 });
  });

  it('removes at once, and says when there was nothing to remove', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    await store.upsertInstance(instance('a:1'));
    expect(await store.removeInstance('orders', 'a:1')).toBe(true);
    expect(await store.removeInstance('orders', 'a:1')).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('makes secrets once; a token id is consumed once, and forgotten after it expired', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    let made = 0;
    const create = () => {
      made++;
      return { trustDomain: 'td', caCertificatePem: 'c', caKeyPem: 'k', tokenKeyPem: 't', adminTokenSha256: 'h' };
    };
    const first = await store.secrets(create);
    expect(await store.secrets(create)).toBe(first);
    expect(made).toBe(1);
    expect(await store.consumeToken('j1', 100)).toBe(true);
    expect(await store.consumeToken('j1', 100)).toBe(false);
    now = 1_000;
    for (let i = 0; i < 1024; i++) await store.consumeToken(`x${i}`, 5_000);
    // j1 expired at 100 and was swept; a replay of an expired token is refused by its expiry, not here.
    expect(await store.consumeToken('j1', 100)).toBe(true);
  });
});
