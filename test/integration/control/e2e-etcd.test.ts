import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, tempDir, type TestDaemon } from '../../helpers/control-daemon.js';
import { DAEMON_YAML, endpointCount, startDaemonWorkload, versionedHandler } from '../../helpers/daemon-workload.js';
import { boundedCalls } from '../../helpers/bounded-calls.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { etcdMissing, startEtcd, type TestEtcd } from '../../helpers/etcd-server.js';
import { waitFor } from '../../helpers/http-server.js';

if (etcdMissing) console.warn(`end-to-end etcd tests skipped: ${etcdMissing}`);

const open = closeAfterEach();
const LEASE_S = 2;
const YAML = { 'content-type': 'application/yaml' };

describe.skipIf(etcdMissing !== undefined)('workloads of real control daemons on etcd', () => {
  let etcd: TestEtcd;
  const keyFile = join(tempDir(), 'store.key');
  writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.remove();
  });

  /** A daemon on the shared etcd (its own port), under `prefix`, with the one store key; the admin token of the first start on that prefix. */
  const daemonOn = (prefix: string, configFile?: string, adminToken?: string): Promise<TestDaemon> =>
    startTestDaemon({ store: `etcd:${etcd.endpoint}?prefix=${prefix}`, storeKeyFile: keyFile, yaml: DAEMON_YAML, ...(configFile && { configFile }), ...(adminToken && { adminToken }) });

  it('two daemons on one etcd: a workload registered through A is called by a client of B; A gone, B serves what A wrote under the same root, and the instance lapses', async () => {
    const prefix = `/e2e-${randomUUID()}/`;
    const a = await daemonOn(prefix);
    const b = await daemonOn(prefix, a.configFile, a.adminToken);
    expect(b.daemon.url).not.toBe(a.daemon.url);
    expect(b.daemon.bundlePem).toBe(a.daemon.bundlePem);

    const orders = open.add(await startDaemonWorkload(a, 'orders', { instance: { version: 'v1', lease: `${LEASE_S}s` } }));
    const server = await orders.serve(versionedHandler('v1'));
    const checkout = open.add(await startDaemonWorkload(b, 'checkout', { config: { services: { orders: { discovery: { control: true } } } } }));
    await waitFor(async () => (await endpointCount(checkout, 'orders')) === 1, 1000, 'a client of B to see the instance registered through A');
    // mTLS between a certificate A issued and one B issued: one root.
    expect(await (await checkout.request('http://orders/')).body.text()).toBe('v1');

    const put = await a.call('PUT', '/v1/config', { admin: true, body: `${DAEMON_YAML}services:\n  orders: { timeout: 1500ms }\n`, headers: YAML });
    expect(put.status, put.text).toBe(200);
    await waitFor(() => checkout.config.services.orders?.timeout === 1500, 1000, 'a config applied on A to reach a client of B');

    await a.daemon.close();
    // B answers with the state A wrote: the config, the registry, and certificates under the same root for a new workload.
    expect((await b.call('GET', '/v1/config')).json.version).toBe(put.json.version);
    expect((await b.call('GET', '/v1/registry/services/orders')).json.instances.map((i: { address: string }) => i.address)).toEqual([`127.0.0.1:${server.port}`]);
    const latecomer = open.add(await startDaemonWorkload(b, 'payments'));
    const lateServer = await latecomer.serve(versionedHandler('late'));
    expect(lateServer.protocols).toContain('mtls:http/1.1');
    expect((await b.call('GET', '/v1/registry/services/payments')).json.instances).toHaveLength(1);

    // orders renews through A alone (control.url is one daemon): its lease lapses, and B's clients see the set empty.
    await waitFor(async () => (await b.call('GET', '/v1/registry/services/orders')).json.instances.length === 0, (LEASE_S + 3) * 1000, 'the lapse of the instance A can no longer renew');
    await waitFor(async () => (await endpointCount(checkout, 'orders')) === 0, 1000, 'the client to see the set empty');
  });

  it('etcd stopped and restarted under load: zero failed calls, and registration renewals recover', async () => {
    const prefix = `/e2e-${randomUUID()}/`;
    const d = await daemonOn(prefix);
    const orders = open.add(await startDaemonWorkload(d, 'orders', { instance: { lease: `${LEASE_S}s` } }));
    const server = await orders.serve(versionedHandler('v1'));
    const checkout = open.add(await startDaemonWorkload(d, 'checkout', { config: { services: { orders: { discovery: { control: true } } } } }));
    await waitFor(async () => (await endpointCount(checkout, 'orders')) === 1, 1000, 'orders in the client');

    // Calls run from before etcd stops until 200 after it is back; it is down longer than the lease, so renewals fail throughout.
    let callsDone = 0;
    let outage: Promise<void> | undefined;
    let backAt: number | undefined;
    const load = await boundedCalls(checkout, 'http://orders/', {
      count: 100_000,
      concurrency: 8,
      maxMs: 15_000,
      stopWhen: () => backAt !== undefined && callsDone >= backAt + 200,
      onDone: (n) => {
        callsDone = n;
        if (n === 200) outage = etcd.stop().then(() => new Promise((r) => setTimeout(r, (LEASE_S + 0.5) * 1000))).then(() => etcd.restart()).then(() => void (backAt = callsDone));
      },
    });
    await outage;
    expect(load.errors).toEqual([]);
    expect(load.failed).toBe(0);
    expect(backAt).toBeDefined();
    expect(load.done).toBeGreaterThanOrEqual(backAt! + 200);

    // Once etcd is back the workload's renewals go through again: the instance is there past a whole lease.
    const address = `127.0.0.1:${server.port}`;
    const registered = async () => ((await d.call('GET', '/v1/registry/services/orders')).json.instances as { address: string }[]).some((i) => i.address === address);
    await waitFor(registered, 8000, 'the registration back in etcd');
    await new Promise((r) => setTimeout(r, LEASE_S * 1000 + 500));
    expect(await registered()).toBe(true);
    expect(await endpointCount(checkout, 'orders')).toBe(1);
    expect((await checkout.request('http://orders/')).statusCode).toBe(200);
  });
});
