import { describe, expect, it } from 'vitest';
import { isMeshError } from '../../../src/index.js';
import { startTestDaemon, tempDir } from '../../helpers/control-daemon.js';
import { DAEMON_YAML, endpointCount, startDaemonWorkload, versionedHandler } from '../../helpers/daemon-workload.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();

describe('workloads of the real control daemon: registration and discovery', () => {
  it('a server in identity mode control registers through mesh.serve, a client finds it within a second, and close() deregisters it', async () => {
    const d = await startTestDaemon({ store: `file:${tempDir()}`, yaml: DAEMON_YAML });
    const orders = open.add(await startDaemonWorkload(d, 'orders', { instance: { version: 'v1', labels: { zone: 'a' } } }));
    const checkout = open.add(await startDaemonWorkload(d, 'checkout', { config: { services: { orders: { discovery: { control: true } } } } }));
    expect(await endpointCount(checkout, 'orders')).toBe(0);

    const server = await orders.serve(versionedHandler('v1'));
    const registeredAt = Date.now();
    expect(server.protocols).toContain('mtls:http/1.1');
    await waitFor(async () => (await endpointCount(checkout, 'orders')) === 1, 1000, 'the client to see the registered instance');
    const seenWithinMs = Date.now() - registeredAt;

    const registry = await d.call('GET', '/v1/registry/services/orders');
    expect(registry.json.instances).toEqual([expect.objectContaining({ address: `127.0.0.1:${server.port}`, meshed: true, labels: { zone: 'a', version: 'v1' } })]);

    // The call goes over mTLS, with the certificates both workloads got from the daemon's CA.
    for (let i = 0; i < 20; i++) {
      const res = await checkout.request('http://orders/');
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('v1');
    }

    await server.close();
    expect((await d.call('GET', '/v1/registry/services/orders')).json.instances).toEqual([]);
    await waitFor(async () => (await endpointCount(checkout, 'orders')) === 0, 1000, 'the client to see the set empty');
    const err = await checkout.request('http://orders/').catch((e: unknown) => e);
    expect(isMeshError(err) && err.code).toBe('MESH_ERR_NO_ENDPOINTS');
    expect(seenWithinMs).toBeLessThan(1000);
  });
});
