import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import type { ControlStore } from '../../../src/control/store/control-store.js';
import { openEtcdStore } from '../../../src/control/store/etcd-store.js';
import { SecretBox } from '../../../src/control/store/secret-box.js';
import { describeControlStore, eventually, instanceRecord } from '../../helpers/control-store-conformance.js';
import { etcdMissing, startEtcd, type TestEtcd } from '../../helpers/etcd-server.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

if (etcdMissing) console.warn(`etcd store tests skipped: ${etcdMissing}`);

describe.skipIf(etcdMissing !== undefined)('etcd store', () => {
  let etcd: TestEtcd;
  let raw: Etcd3;
  const key = new SecretBox(randomBytes(32));
  let prefix = '';
  const opened: ControlStore[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    raw = new Etcd3({ hosts: etcd.endpoint });
  });
  afterAll(async () => {
    raw?.close();
    await etcd?.remove();
  });
  afterEach(async () => {
    while (opened.length) await opened.pop()!.close();
  });

  const storeOn = (p: string, o: { box?: SecretBox | undefined; log?: RecordingLogger; requestTimeoutMs?: number } = {}): Promise<ControlStore> =>
    openEtcdStore({ endpoints: [etcd.endpoint], prefix: p, box: 'box' in o ? o.box : key, log: o.log ?? new RecordingLogger(), requestTimeoutMs: o.requestTimeoutMs });
  const opening = async (p: string, o: Parameters<typeof storeOn>[1] = {}): Promise<ControlStore> => {
    const store = await storeOn(p, o);
    opened.push(store);
    await store.open();
    return store;
  };
  const freshPrefix = (): string => (prefix = `/t-${randomUUID()}/`);

  describeControlStore('etcd store', () => storeOn(freshPrefix()), { sharedStore: () => storeOn(prefix), leaseMs: 1_000, lapseWithinMs: 2_500 });

  it('starts etcd quickly', () => {
    expect(etcd.startMs).toBeLessThan(3_000);
  });

  it("shows each daemon the other's writes within a second, by watch", async () => {
    const p = freshPrefix();
    const [a, b] = [await opening(p), await opening(p)];
    const heard: string[] = [];
    b.onInstances((s) => heard.push(s));
    const t0 = performance.now();
    const put = await a.putConfig('mesh: shared\n');
    await eventually(() => b.config()?.version === put.version, 1_000, 'b sees the config');
    await a.upsertInstance(instanceRecord());
    await eventually(() => b.instances('orders').instances.length === 1, 1_000, 'b sees the instance');
    expect(heard).toContain('orders');
    expect(b.instances('orders').version).toBe(a.instances('orders').version);
    expect(performance.now() - t0).toBeLessThan(1_000);
    // b renews what a registered: a lease keepalive only, no put, so neither version nor key moves.
    const before = (await raw.get(`${p}instances/orders/127.0.0.1%3A8081`).exec()).kvs[0]?.mod_revision;
    expect(await b.upsertInstance(instanceRecord())).toEqual({ version: a.instances('orders').version });
    expect((await raw.get(`${p}instances/orders/127.0.0.1%3A8081`).exec()).kvs[0]?.mod_revision).toBe(before);
    // A new lease length is written, but is no change of the set.
    const version = a.instances('orders').version;
    await b.upsertInstance(instanceRecord({ leaseMs: 20_000 }));
    expect(a.instances('orders').version).toBe(version);
  });

  it('keeps versions monotonic across a restart of the daemon, also after a removal', async () => {
    const p = freshPrefix();
    const first = await opening(p);
    const config = await first.putConfig('mesh: a\n');
    await first.upsertInstance(instanceRecord());
    await first.upsertInstance(instanceRecord({ address: '127.0.0.1:8082' }));
    await first.removeInstance('orders', '127.0.0.1:8082');
    const service = first.instances('orders').version;
    await first.close();
    const again = await opening(p);
    expect(again.config()).toEqual(config);
    expect(again.instances('orders').version).toBeGreaterThanOrEqual(service);
    expect((await again.putConfig('mesh: b\n')).version).toBeGreaterThan(config.version);
  });

  it('moves the version of a service whose instance lapsed in etcd while no daemon watched', async () => {
    const p = freshPrefix();
    const first = await opening(p);
    await first.upsertInstance(instanceRecord({ leaseMs: 1_000 }));
    const before = first.instances('orders').version;
    await first.close();
    await new Promise((r) => setTimeout(r, 2_200));
    const again = await opening(p);
    expect(again.instances('orders').instances).toEqual([]);
    expect(again.instances('orders').version).toBeGreaterThan(before);
  });

  it('seals the secrets in etcd and refuses another store key, or none', async () => {
    const p = freshPrefix();
    const store = await opening(p);
    const caKeyPem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
    await store.secrets(() => ({ trustDomain: 'shop.local', caCertificatePem: 'cert', caKeyPem, tokenKeyPem: caKeyPem, adminTokenSha256: 'ab' }));
    const stored = await raw.get(`${p}secrets`).string();
    expect(stored).toBeTruthy();
    expect(stored).not.toContain('PRIVATE KEY');
    expect(stored).not.toContain('MIGHAgEAMBMGByqGSM49');
    const other = await storeOn(p, { box: new SecretBox(randomBytes(32)) });
    await expect(other.open()).rejects.toMatchObject({ code: 'MESH_ERR_CONFIG_INVALID', message: expect.stringMatching(/does not open with this store key/) });
    await expect(storeOn(p, { box: undefined })).rejects.toMatchObject({ code: 'MESH_ERR_CONFIG_INVALID', message: expect.stringMatching(/needs a store key/) });
  });

  it('logs and skips junk under the prefix', async () => {
    const p = freshPrefix();
    await raw.put(`${p}config`).value('not json');
    await raw.put(`${p}instances/orders/127.0.0.1%3A1`).value('{"service":');
    await raw.put(`${p}somewhere/else`).value('?');
    const log = new RecordingLogger();
    const store = await opening(p, { log });
    expect(store.config()).toBeUndefined();
    expect(store.instances('orders').instances).toEqual([]);
    await store.upsertInstance(instanceRecord());
    await raw.put(`${p}instances/orders/127.0.0.1%3A2`).value('[]');
    await raw.put(`${p}config`).value('{"yaml": 1}');
    const good = await store.putConfig('mesh: ok\n');
    await raw.put(`${p}config`).value('garbage');
    await eventually(() => log.at('warn').length >= 6, 1_000, 'every junk value is logged');
    expect(store.config()).toEqual(good);
    expect(store.instances('orders').instances.map((i) => i.address)).toEqual(['127.0.0.1:8081']);
  });

  it('answers reads while etcd is away, rejects writes in bounded time, and recovers when it is back', { timeout: 30_000 }, async () => {
    const p = freshPrefix();
    const [a, b] = [await opening(p, { requestTimeoutMs: 1_000 }), await opening(p, { requestTimeoutMs: 1_000 })];
    const config = await a.putConfig('mesh: before\n');
    await a.upsertInstance(instanceRecord());
    await eventually(() => b.instances('orders').instances.length === 1, 1_000, 'b sees the instance');
    await etcd.stop();
    try {
      expect(a.config()).toEqual(config);
      expect(b.instances('orders').instances).toHaveLength(1);
      const t0 = performance.now();
      await expect(a.putConfig('mesh: during\n')).rejects.toMatchObject({ code: 'MESH_ERR_TRANSPORT', message: expect.stringMatching(/etcd/) });
      await expect(a.upsertInstance(instanceRecord())).rejects.toMatchObject({ code: 'MESH_ERR_TRANSPORT' });
      await expect(a.consumeToken('j', Date.now() + 60_000)).rejects.toMatchObject({ code: 'MESH_ERR_TRANSPORT' });
      expect(performance.now() - t0).toBeLessThan(3 * 1_500);
    } finally {
      await etcd.restart();
    }
    let after: Awaited<ReturnType<ControlStore['putConfig']>> | undefined;
    const deadline = Date.now() + 10_000;
    while (!after && Date.now() < deadline) {
      after = await a.putConfig('mesh: after\n').catch(() => undefined);
      if (!after) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after?.version).toBeGreaterThan(config.version);
    await eventually(() => b.config()?.version === after!.version, 5_000, 'b hears the write after etcd came back');
    await b.upsertInstance(instanceRecord({ address: '127.0.0.1:8083' }));
    await eventually(() => a.instances('orders').instances.length === 2, 2_000, 'a hears the registration after etcd came back');
  });

  it('lets a process exit after close', async () => {
    const script = fileURLToPath(new URL('../../fixtures/control/etcd-store-open-close.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, etcd.endpoint, freshPrefix()], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    expect(out.trim()).toBe('closed');
    expect(code).toBe(0);
  });
});
