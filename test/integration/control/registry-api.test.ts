import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/experimental.js';
import { startTestDaemon } from '../../helpers/control-daemon.js';

const path = (service: string, address: string) => `/v1/registry/services/${service}/instances/${encodeURIComponent(address)}`;

describe('registry API', () => {
  it('a workload registers its own instance by its certificate, renews it (same version), and the set is served', async () => {
    const t = await startTestDaemon();
    const identity = await t.enrol('orders');
    const first = await t.call('PUT', path('orders', '127.0.0.1:8081'), { identity, body: { version: 'v2', labels: { zone: 'a' }, leaseSeconds: 10 } });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ leaseSeconds: 10, version: 1 });
    const renewed = await t.call('PUT', path('orders', '127.0.0.1:8081'), { identity, body: { version: 'v2', labels: { zone: 'a' }, leaseSeconds: 10 } });
    expect(renewed.json).toEqual({ leaseSeconds: 10, version: 1 });
    const set = await t.call('GET', '/v1/registry/services/orders');
    expect(set.headers['inmesh-version']).toBe('1');
    expect(set.json).toMatchObject({ service: 'orders', version: 1, instances: [{ service: 'orders', address: '127.0.0.1:8081', labels: { zone: 'a', version: 'v2' }, meshed: true, protocols: ['http/1.1'] }] });
    expect((await t.call('GET', '/v1/registry/services')).json).toEqual({ services: { orders: { instances: 1, version: 1 } } });
  });

  it('a lease that is not renewed lapses and the instance goes (fake clock)', async () => {
    const clock = new FakeClock();
    const t = await startTestDaemon({ clock });
    await t.call('PUT', path('orders', '127.0.0.1:8081'), { admin: true, body: { leaseSeconds: 5 } });
    clock.advance(4000);
    await t.call('PUT', path('orders', '127.0.0.1:8081'), { admin: true, body: { leaseSeconds: 5 } });
    clock.advance(4000);
    expect((await t.call('GET', '/v1/registry/services/orders')).json.instances).toHaveLength(1);
    clock.advance(1001);
    const after = await t.call('GET', '/v1/registry/services/orders');
    expect(after.json).toMatchObject({ version: 2, instances: [] });
  });

  it('a blocking query on a service answers when an instance registers', async () => {
    const t = await startTestDaemon();
    const waiting = t.call('GET', '/v1/registry/services/orders?version=0&wait=30s');
    await new Promise((r) => setTimeout(r, 100));
    await t.call('PUT', path('orders', '[::1]:8081'), { admin: true, body: {} });
    const r = await waiting;
    expect(r.json).toMatchObject({ version: 1, instances: [{ address: '[::1]:8081' }] });
  });

  it('DELETE deregisters (204) and is idempotent', async () => {
    const t = await startTestDaemon();
    const identity = await t.enrol('orders');
    await t.call('PUT', path('orders', 'orders-1.shop:8081'), { identity, body: {} });
    expect((await t.call('DELETE', path('orders', 'orders-1.shop:8081'), { identity })).status).toBe(204);
    expect((await t.call('GET', '/v1/registry/services/orders')).json).toMatchObject({ version: 2, instances: [] });
    expect((await t.call('DELETE', path('orders', 'orders-1.shop:8081'), { identity })).status).toBe(204);
  });

  it('a workload may not register or deregister another service (403); without any credential 401', async () => {
    const t = await startTestDaemon();
    const checkout = await t.enrol('checkout');
    const put = await t.call('PUT', path('orders', '127.0.0.1:8081'), { identity: checkout, body: {} });
    expect(put.status).toBe(403);
    expect(put.json.error).toMatchObject({ code: 'MESH_ERR_UNAUTHORIZED' });
    expect(put.json.error.message).toMatch(/spiffe:\/\/shop.local\/svc\/checkout may write only instances of its own service/);
    await t.call('PUT', path('orders', '127.0.0.1:8081'), { admin: true, body: {} });
    expect((await t.call('DELETE', path('orders', '127.0.0.1:8081'), { identity: checkout })).status).toBe(403);
    expect((await t.call('PUT', path('orders', '127.0.0.1:8082'), { body: {} })).status).toBe(401);
    expect((await t.call('GET', '/v1/registry/services/orders')).json.instances).toHaveLength(1);
  });

  it('refuses malformed registrations with 400 naming the field', async () => {
    const t = await startTestDaemon();
    const cases: [string, unknown][] = [
      [path('orders', 'nohost'), {}],
      [path('orders', '127.0.0.1:0'), {}],
      [path('orders', '127.0.0.1:70000'), {}],
      [path('Orders', '127.0.0.1:1'), {}],
      [path('orders', '127.0.0.1:1'), { leaseSeconds: 1 }],
      [path('orders', '127.0.0.1:1'), { leaseSeconds: 'x' }],
      [path('orders', '127.0.0.1:1'), { labels: { zone: 3 } }],
      [path('orders', '127.0.0.1:1'), { protocols: ['gopher'] }],
      [path('orders', '127.0.0.1:1'), { lease: 10 }],
    ];
    for (const [p, body] of cases) {
      const r = await t.call('PUT', p, { admin: true, body: body as object });
      expect(r.status, `${p} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json.error.code).toBe('MESH_ERR_BAD_REQUEST');
    }
    expect((await t.call('GET', '/v1/registry/services')).json).toEqual({ services: {} });
  });
});
