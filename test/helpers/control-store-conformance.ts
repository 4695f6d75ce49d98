import { afterEach, describe, expect, it } from 'vitest';
import type { ControlSecrets, ControlStore, InstanceRecord } from '../../src/control/store/control-store.js';

export interface ControlStoreSuiteOptions {
  /**
   * Another store on the same state as the store `makeStore` made last (a second daemon on one
   * etcd, say). Without it, the concurrency tests run their calls on the one store.
   */
  readonly sharedStore?: () => ControlStore | Promise<ControlStore>;
  /** A lease short enough for the lapse test (default 1 s). */
  readonly leaseMs?: number;
  /** How long after the last renewal a lapsed instance may still be listed (default 3 × leaseMs). */
  readonly lapseWithinMs?: number;
}

/** Polls `check` every 10 ms until it holds; fails after `ms`. */
export async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function instanceRecord(over: Partial<InstanceRecord> = {}): InstanceRecord {
  return { service: 'orders', address: '127.0.0.1:8081', labels: { version: 'v1' }, meshed: true, protocols: ['http/1.1'], registeredAt: 1_700_000_000_000, leaseMs: 10_000, ...over };
}

function secretsNamed(n: number): ControlSecrets {
  return {
    trustDomain: 'shop.local',
    caCertificatePem: `-----BEGIN CERTIFICATE-----\nca-${n}\n-----END CERTIFICATE-----\n`,
    caKeyPem: `-----BEGIN PRIVATE KEY-----\nca-key-${n}\n-----END PRIVATE KEY-----\n`,
    tokenKeyPem: `-----BEGIN PRIVATE KEY-----\ntoken-key-${n}\n-----END PRIVATE KEY-----\n`,
    adminTokenSha256: String(n).padStart(64, '0'),
  };
}

/**
 * What every ControlStore must do, whatever keeps its state. `makeStore` gives a store (not
 * opened) on fresh, empty state; the suite opens and closes it.
 *
 * @example
 * describeControlStore('memory store', () => new MemoryStore(), { leaseMs: 200 });
 */
export function describeControlStore(name: string, makeStore: () => ControlStore | Promise<ControlStore>, o: ControlStoreSuiteOptions = {}): void {
  const leaseMs = o.leaseMs ?? 1_000;
  const lapseWithinMs = o.lapseWithinMs ?? 3 * leaseMs;
  const opened: ControlStore[] = [];
  const open = async (make: () => ControlStore | Promise<ControlStore>): Promise<ControlStore> => {
    const store = await make();
    opened.push(store);
    await store.open();
    return store;
  };
  const fresh = (): Promise<ControlStore> => open(makeStore);

  describe(`${name}: the ControlStore contract`, () => {
    afterEach(async () => {
      while (opened.length) await opened.pop()!.close();
    });

    describe('config', () => {
      it('has none at first, then the one put, with a version that goes up with every put', async () => {
        const store = await fresh();
        expect(store.config()).toBeUndefined();
        const first = await store.putConfig('mesh: a\n');
        expect(first.version).toBeGreaterThan(0);
        expect(first.yaml).toBe('mesh: a\n');
        expect(store.config()).toEqual(first);
        const second = await store.putConfig('mesh: b\n');
        expect(second.version).toBeGreaterThan(first.version);
        expect(store.config()).toEqual(second);
      });

      it('tells listeners of every config put, until they unsubscribe', async () => {
        const store = await fresh();
        const heard: number[] = [];
        const off = store.onConfig((c) => heard.push(c.version));
        const put = await store.putConfig('mesh: a\n');
        await eventually(() => heard.includes(put.version), 1_000, 'the listener hears the put');
        off();
        await store.putConfig('mesh: b\n');
        await new Promise((r) => setTimeout(r, 50));
        expect(heard).toEqual([put.version]);
      });
    });

    describe('registry', () => {
      it('answers version 0 and no instances for a service never seen', async () => {
        const store = await fresh();
        expect(store.instances('nobody')).toEqual({ version: 0, instances: [] });
        expect(store.services()).toEqual([]);
      });

      it('registers an instance, and lists it without its lease', async () => {
        const store = await fresh();
        const r = instanceRecord();
        const { version } = await store.upsertInstance(r);
        expect(version).toBeGreaterThan(0);
        const { leaseMs: _lease, ...listed } = r;
        expect(store.instances('orders')).toEqual({ version, instances: [listed] });
        expect(store.services()).toEqual(['orders']);
      });

      it('renews without moving the version or telling listeners; a change moves it and keeps the first registration time', async () => {
        const store = await fresh();
        const { version } = await store.upsertInstance(instanceRecord());
        const heard: string[] = [];
        store.onInstances((s) => heard.push(s));
        const renewed = await store.upsertInstance(instanceRecord({ registeredAt: 1_800_000_000_000 }));
        expect(renewed.version).toBe(version);
        expect(store.instances('orders').version).toBe(version);
        const changed = await store.upsertInstance(instanceRecord({ labels: { version: 'v2' }, registeredAt: 1_800_000_000_000 }));
        expect(changed.version).toBeGreaterThan(version);
        await eventually(() => heard.length > 0, 1_000, 'the listener hears the change');
        expect(new Set(heard)).toEqual(new Set(['orders']));
        const [listed] = store.instances('orders').instances;
        expect(listed?.labels).toEqual({ version: 'v2' });
        expect(listed?.registeredAt).toBe(1_700_000_000_000);
      });

      it('removes an instance (false the second time), moves the version and tells listeners', async () => {
        const store = await fresh();
        await store.upsertInstance(instanceRecord());
        const { version } = await store.upsertInstance(instanceRecord({ address: '127.0.0.1:8082' }));
        const heard: string[] = [];
        store.onInstances((s) => heard.push(s));
        expect(await store.removeInstance('orders', '127.0.0.1:8081')).toBe(true);
        const after = store.instances('orders');
        expect(after.version).toBeGreaterThan(version);
        expect(after.instances.map((i) => i.address)).toEqual(['127.0.0.1:8082']);
        await eventually(() => heard.includes('orders'), 1_000, 'the listener hears the removal');
        expect(await store.removeInstance('orders', '127.0.0.1:8081')).toBe(false);
        expect(await store.removeInstance('nobody', '127.0.0.1:1')).toBe(false);
      });

      it('lists, sorted, the services that have instances; a service whose last instance went keeps its version', async () => {
        const store = await fresh();
        await store.upsertInstance(instanceRecord({ service: 'payments' }));
        await store.upsertInstance(instanceRecord({ service: 'orders' }));
        expect(store.services()).toEqual(['orders', 'payments']);
        const before = store.instances('payments').version;
        await store.removeInstance('payments', '127.0.0.1:8081');
        expect(store.services()).toEqual(['orders']);
        expect(store.instances('payments').version).toBeGreaterThan(before);
      });

      it('keeps versions of different services apart', async () => {
        const store = await fresh();
        const a = await store.upsertInstance(instanceRecord({ service: 'a' }));
        await store.upsertInstance(instanceRecord({ service: 'b' }));
        expect(store.instances('a').version).toBe(a.version);
      });

      it(`keeps a renewed instance past its lease, and drops it once renewals stop (lease ${leaseMs} ms)`, { timeout: 4 * leaseMs + lapseWithinMs + 5_000 }, async () => {
        const store = await fresh();
        const r = instanceRecord({ leaseMs });
        const { version } = await store.upsertInstance(r);
        const renewUntil = Date.now() + 2 * leaseMs;
        while (Date.now() < renewUntil) {
          await new Promise((res) => setTimeout(res, leaseMs / 4));
          await store.upsertInstance(r);
        }
        expect(store.instances('orders').instances).toHaveLength(1);
        expect(store.instances('orders').version).toBe(version);
        const heard: string[] = [];
        store.onInstances((s) => heard.push(s));
        await eventually(() => store.instances('orders').instances.length === 0, lapseWithinMs + 1_000, 'the instance lapses');
        expect(store.instances('orders').version).toBeGreaterThan(version);
        expect(heard).toContain('orders');
        // The workload's next renewal (the same PUT) registers it again.
        await store.upsertInstance(r);
        expect(store.instances('orders').instances).toHaveLength(1);
      });
    });

    describe('secrets', () => {
      it('creates them once and hands out the stored ones after that', async () => {
        const store = await fresh();
        let made = 0;
        const first = await store.secrets(() => secretsNamed(++made));
        expect(first).toEqual(secretsNamed(1));
        const again = await store.secrets(() => secretsNamed(++made));
        expect(again).toEqual(first);
        expect(made).toBe(1);
      });

      it('keeps one set when eight openers ask at once', async () => {
        const first = await fresh();
        const stores = [first, ...(await Promise.all(Array.from({ length: 7 }, () => (o.sharedStore ? open(o.sharedStore) : Promise.resolve(first)))))];
        let n = 0;
        const got = await Promise.all(stores.map((s) => s.secrets(() => secretsNamed(++n))));
        for (const s of got) expect(s).toEqual(got[0]);
        for (const s of stores) expect(await s.secrets(() => secretsNamed(99))).toEqual(got[0]);
      });
    });

    describe('single-use tokens', () => {
      it('accepts a token id once, then refuses it as a replay', async () => {
        const store = await fresh();
        const exp = Date.now() + 60_000;
        expect(await store.consumeToken('jti-1', exp)).toBe(true);
        expect(await store.consumeToken('jti-1', exp)).toBe(false);
        expect(await store.consumeToken('jti-2', exp)).toBe(true);
      });

      it('lets exactly one of several concurrent uses through', async () => {
        const first = await fresh();
        const stores = [first, ...(await Promise.all(Array.from({ length: 3 }, () => (o.sharedStore ? open(o.sharedStore) : Promise.resolve(first)))))];
        const exp = Date.now() + 60_000;
        const results = await Promise.all(stores.flatMap((s) => [s.consumeToken('jti-x', exp), s.consumeToken('jti-x', exp)]));
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('close', () => {
      it('closes, and closing again is harmless', async () => {
        const store = await fresh();
        await store.putConfig('mesh: a\n');
        await store.close();
        await store.close();
      });
    });
  });
}
