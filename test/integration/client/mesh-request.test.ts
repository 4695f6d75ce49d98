import { describe, expect, it } from 'vitest';
import { createMesh, isMeshError, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, startNamedServer, type TestServer } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);


async function named(n: number): Promise<TestServer[]> {
  const list = await Promise.all(Array.from({ length: n }, (_, i) => startNamedServer(`s${i}`)));
  list.forEach((s) => open.add(s));
  return list;
}

describe('mesh.request and mesh.fetch', () => {
  it('sends calls to a mesh service to its endpoints, with the logical Host', async () => {
    const [a] = await named(1);
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { endpoints: [a!.address], tls: 'none' } } } });
    await mesh.ready();
    const res = await mesh.request('http://orders/api/orders/42?x=1');
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ name: 's0', host: 'orders', path: '/api/orders/42?x=1' });

    const viaFetch = await mesh.fetch('http://orders/api/orders/7', { headers: { 'x-a': '1' } });
    expect(viaFetch.status).toBe(200);
    expect(await viaFetch.json()).toMatchObject({ name: 's0', host: 'orders', path: '/api/orders/7' });
  });

  it('spreads calls over every endpoint (round-robin: exactly even)', async () => {
    const list = await named(3);
    mesh = await createMesh({
      service: 'checkout',
      config: { services: { orders: { endpoints: list.map((s) => s.address), tls: 'none', loadBalancer: 'round-robin' } } },
    });
    await mesh.ready();
    for (let i = 0; i < 300; i++) await (await mesh.request('http://orders/')).body.dump();
    expect(list.map((s) => s.hits())).toEqual([100, 100, 100]);
    const stats = mesh.stats().outbound.find((s) => s.service === 'orders')!;
    expect(stats.requests).toBe(300);
    expect(stats.failures).toBe(0);
    expect(stats.endpoints.map((e) => e.requests)).toEqual([100, 100, 100]);
    expect(stats.p50).toBeGreaterThan(0);
  });

  it('fails with MESH_ERR_NO_ENDPOINTS when a service has none', async () => {
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { endpoints: [], tls: 'none' } } } });
    await mesh.ready();
    const err = await mesh.request('http://orders/').catch((e: unknown) => e);
    expect(isMeshError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'MESH_ERR_NO_ENDPOINTS', rejected: true, service: 'orders' });
  });

  it('reports a refused connection as a transport error naming the endpoint', async () => {
    const gone = await startHttpServer((_, res) => res.end());
    await gone.close();
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { endpoints: [gone.address], tls: 'none' } } } });
    const err = await mesh.request('http://orders/').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'connect-failure', endpoint: gone.address, rejected: true });
  });

  it('passes hosts outside the mesh straight through, or refuses them with outbound: deny', async () => {
    const [outside] = await named(1);
    mesh = await createMesh({ service: 'checkout', config: { services: {} } });
    const res = await mesh.request(`${outside!.url}/plain`);
    expect(await res.body.json()).toMatchObject({ name: 's0', path: '/plain' });
    await mesh.close();

    mesh = await createMesh({ service: 'checkout', config: { outbound: 'deny', services: {} } });
    const err = await mesh.request(`${outside!.url}/plain`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MESH_ERR_UNKNOWN_SERVICE', rejected: true });
    expect(outside!.hits()).toBe(1);
  });

  it('cancels a call when the caller aborts, and frees the endpoint', async () => {
    let release: (() => void) | undefined;
    const slow = await startHttpServer((req, res) => {
      req.resume();
      if (req.url === '/hang') release = () => res.end('late');
      else res.end('ok');
    });
    open.add(slow);
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { endpoints: [slow.address], tls: 'none', connections: 1 } } } });
    const ac = new AbortController();
    const pending = mesh.request('http://orders/hang', { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 20));
    ac.abort(new Error('caller gave up'));
    const err = await pending.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MESH_ERR_CANCELLED', cause: new Error('caller gave up') });
    // The single connection was reset by the abort, so a new call goes through.
    const res = await mesh.request('http://orders/next');
    expect(await res.body.text()).toBe('ok');
    release?.();
  });

  it('drains on close: close waits for a call in flight, which completes; later calls are refused', async () => {
    let release: (() => void) | undefined;
    const slow = open.add(
      await startHttpServer((req, res) => {
        req.resume();
        release = () => res.end('done');
      }),
    );
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { endpoints: [slow.address], tls: 'none' } } } });
    const inFlight = mesh.request('http://orders/slow');
    while (!release) await new Promise((r) => setTimeout(r, 2));
    let closed = false;
    const closing = mesh.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    release();
    const res = await inFlight;
    expect(await res.body.text()).toBe('done');
    await closing;
    const refused = await mesh.request('http://orders/late').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'MESH_ERR_CLOSED' });
  });

  it('runs a user module patched into the client stack', async () => {
    const [a] = await named(1);
    const seen: string[] = [];
    const { Role } = await import('../../../src/experimental.js');
    mesh = await createMesh({
      service: 'checkout',
      config: { services: { orders: { endpoints: [a!.address], tls: 'none' } } },
      clientStack: (s) =>
        s.insertAfter(Role.ClientMetrics, {
          role: 'audit',
          description: 'records the path of every call',
          layer: () => (next) => (req, ctx) => {
            seen.push(`${ctx.service}${(req as { opts: { path: string } }).opts.path}`);
            return next(req, ctx);
          },
        }),
    });
    await (await mesh.request('http://orders/a')).body.dump();
    expect(seen).toEqual(['orders/a']);
  });

  it('serves golden metrics on the admin listener', async () => {
    const [a] = await named(1);
    mesh = await createMesh({ service: 'checkout', config: { admin: { port: 0 }, services: { orders: { endpoints: [a!.address], tls: 'none' } } } });
    await mesh.ready();
    await (await mesh.request('http://orders/')).body.dump();
    const text = await (await fetch(`${mesh.admin!.url}/metrics`)).text();
    expect(text).toMatch(/http_client_request_duration_seconds_count\{source_service="checkout",destination_service="orders",route="default",http_response_status_code="200",error_type=""\} 1/);
    expect(text).toMatch(/inmesh_endpoint_request_duration_seconds_count\{[^}]*endpoint="127\.0\.0\.1:\d+",outcome="success"\} 1/);
    expect((await fetch(`${mesh.admin!.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${mesh.admin!.url}/healthz`)).status).toBe(200);
  });
});
