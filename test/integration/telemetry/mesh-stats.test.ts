import express from 'express';
import { describe, expect, it } from 'vitest';
import { createMesh, type Mesh, type ServedRouteStats } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();

/** The orders workload: Express through mesh.serve, 200 on /ok/:id and 500 on /bad. */
async function ordersWorkload(): Promise<{ mesh: Mesh; address: string }> {
  const mesh = open.add(await createMesh({ service: 'orders', watch: false, shutdown: false, config: { identity: { mode: 'none' } } }));
  const app = express();
  app.get('/ok/:id', (req, res) => void res.json({ id: req.params.id }));
  app.get('/bad', (_req, res) => void res.status(500).json({ error: 'boom' }));
  const server = await mesh.serve(app, { port: 0, host: '127.0.0.1' });
  return { mesh, address: `127.0.0.1:${server.port}` };
}

function checkout(endpoints: readonly string[], extra: Record<string, unknown> = {}): Promise<Mesh> {
  const orders = {
    endpoints,
    tls: 'none',
    retries: { attempts: 1 },
    routes: [
      { name: 'ok', match: { path: '/ok/*' } },
      { name: 'bad', match: { path: '/bad' } },
    ],
  };
  return createMesh({ service: 'checkout', watch: false, shutdown: false, config: { identity: { mode: 'none' }, services: { orders }, ...extra } });
}

async function call(mesh: Mesh, url: string): Promise<number> {
  const res = await mesh.request(url);
  await res.body.dump();
  return res.statusCode;
}

describe('mesh.stats()', () => {
  it('counts calls per destination and route, and requests per served route, exactly as sent', async () => {
    const { mesh: server, address } = await ordersWorkload();
    const client = open.add(await checkout([address]));
    await client.ready();
    const N = 7;
    const M = 3;
    for (let i = 0; i < N; i++) expect(await call(client, `http://orders/ok/${i}?q=${i}`)).toBe(200);
    for (let i = 0; i < M; i++) expect(await call(client, 'http://orders/bad')).toBe(500);

    const stats = client.stats();
    expect(stats.windowSeconds).toBe(60);
    const orders = stats.outbound.find((s) => s.service === 'orders')!;
    expect(orders).toMatchObject({ requests: N + M, failures: M });
    expect(orders.successRate).toBeCloseTo(N / (N + M), 10);
    expect(orders.rps).toBeGreaterThan(0);
    expect(orders.p50).toBeGreaterThan(0);
    expect(orders.p95).toBeGreaterThanOrEqual(orders.p50);
    expect(orders.p99).toBeGreaterThanOrEqual(orders.p95);
    const routes = Object.fromEntries(orders.routes.map((r) => [r.route, r]));
    expect(Object.keys(routes)).toEqual(['ok', 'bad', 'default']);
    expect(routes.ok).toMatchObject({ requests: N, failures: 0, successRate: 1 });
    expect(routes.bad).toMatchObject({ requests: M, failures: M, successRate: 0 });
    expect(routes.default!.requests).toBe(0);
    // Endpoints keep their attempts since start, as before.
    expect(orders.endpoints.map((e) => e.requests)).toEqual([N + M]);

    // The server records when its response has closed, a moment after the client has read it.
    const served = (): ServedRouteStats[] => server.stats().inbound.filter((r) => r.service === 'orders');
    await waitFor(() => served().reduce((n, r) => n + r.requests, 0) === N + M, 5000, 'the served requests');
    const byRoute = Object.fromEntries(served().map((r) => [r.route, r]));
    expect(byRoute['/ok/:id']).toMatchObject({ requests: N, failures: 0, successRate: 1 });
    expect(byRoute['/bad']).toMatchObject({ requests: M, failures: M, successRate: 0 });
    // The caller served nothing.
    expect(client.stats().inbound).toEqual([]);
  });

  it('counts a call that failed with an error (no endpoint answered) as a failure', async () => {
    const refusing = await startHttpServer((_req, res) => res.destroy());
    open.add(refusing);
    const client = open.add(await checkout([refusing.address]));
    await client.ready();
    await expect(client.request('http://orders/ok/1')).rejects.toThrow();
    const orders = client.stats().outbound.find((s) => s.service === 'orders')!;
    expect(orders).toMatchObject({ requests: 1, failures: 1, successRate: 0 });
    expect(orders.routes.find((r) => r.route === 'ok')!.failures).toBe(1);
  });

  it('follows telemetry.stats.window across a reload', async () => {
    const { address } = await ordersWorkload();
    const client = open.add(await checkout([address], { telemetry: { stats: { window: '10s' } } }));
    await client.ready();
    expect(client.stats().windowSeconds).toBe(10);
    await call(client, 'http://orders/ok/1');
    const orders = { endpoints: [address], tls: 'none', retries: { attempts: 1 }, routes: [{ name: 'ok', match: { path: '/ok/*' } }] };
    await client.reload({ identity: { mode: 'none' }, services: { orders }, telemetry: { stats: { window: '30s' } } });
    const stats = client.stats();
    expect(stats.windowSeconds).toBe(30);
    // A new length starts the windows afresh.
    expect(stats.outbound[0]!.requests).toBe(0);
    await call(client, 'http://orders/ok/2');
    expect(client.stats().outbound[0]!.routes.find((r) => r.route === 'ok')!.requests).toBe(1);
  });
});
