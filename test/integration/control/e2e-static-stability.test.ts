import { describe, expect, it } from 'vitest';
import { startTestDaemon, tempDir } from '../../helpers/control-daemon.js';
import { controlConnected, DAEMON_YAML, endpointCount, startDaemonWorkload, versionedHandler } from '../../helpers/daemon-workload.js';
import { boundedCalls } from '../../helpers/bounded-calls.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();
const LEASE_S = 2;

describe('workloads of the real control daemon: static stability', () => {
  it('calls keep flowing while the daemon is down; restarted on the same store and port it is found again and the lease is renewed', async () => {
    const storeDir = tempDir();
    const first = await startTestDaemon({ store: `file:${storeDir}`, yaml: DAEMON_YAML });
    const port = new URL(first.daemon.url).port;
    const orders = open.add(await startDaemonWorkload(first, 'orders', { instance: { version: 'v1', lease: `${LEASE_S}s` } }));
    const server = await orders.serve(versionedHandler('v1'));
    const checkout = open.add(await startDaemonWorkload(first, 'checkout', { config: { services: { orders: { discovery: { control: true } } } } }));
    await waitFor(async () => (await endpointCount(checkout, 'orders')) === 1, 2000, 'orders in the client');

    // The daemon goes away a few hundred calls in and stays away for the rest of the run.
    let closing: Promise<void> | undefined;
    const load = await boundedCalls(checkout, 'http://orders/', {
      count: 2000,
      concurrency: 8,
      maxMs: 15_000,
      onDone: (n) => {
        if (n === 300) closing = first.daemon.close();
      },
    });
    await closing;
    expect(load.errors).toEqual([]);
    expect(load).toMatchObject({ done: 2000, failed: 0 });
    await waitFor(async () => !(await controlConnected(checkout)), 3000, 'the client to notice the daemon gone');
    expect(await endpointCount(checkout, 'orders')).toBe(1);

    const second = await startTestDaemon({ store: `file:${storeDir}`, listen: `127.0.0.1:${port}`, configFile: first.configFile, adminToken: first.adminToken });
    expect(second.daemon.url).toBe(first.daemon.url);
    // Watches back off at most a few seconds after an outage this short, then park on the new daemon: both show it connected.
    await waitFor(async () => (await controlConnected(orders)) && (await controlConnected(checkout)), 5000, 'both workloads to find the daemon again');

    // The store kept the instance with a fresh lease; it is still there past that lease only because the workload renews it.
    const registered = `127.0.0.1:${server.port}`;
    await new Promise((r) => setTimeout(r, LEASE_S * 1000 + 500));
    expect((await second.call('GET', '/v1/registry/services/orders')).json.instances.map((i: { address: string }) => i.address)).toEqual([registered]);

    // The restarted daemon's pushes reach the client.
    const put = await second.call('PUT', '/v1/config', { admin: true, body: `${DAEMON_YAML}services:\n  orders: { timeout: 1500ms }\n`, headers: { 'content-type': 'application/yaml' } });
    expect(put.status, put.text).toBe(200);
    await waitFor(() => checkout.config.services.orders?.timeout === 1500, 1000, 'the pushed timeout');
    expect((await checkout.request('http://orders/')).statusCode).toBe(200);
  });
});
