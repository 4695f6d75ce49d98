import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import Fastify from 'fastify';
import type { Mesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { accessMesh, rawRequest, TEST_PEER } from './access-helpers.js';
import { errorCode, gate, get } from './serve-helpers.js';

const CHECKOUT = 'spiffe://shop.local/svc/checkout';
const CART = 'spiffe://shop.local/svc/cart';

const meshes: Mesh[] = [];
afterEach(async () => {
  for (const m of meshes.splice(0)) await m.close();
});

/** Serves `orders` with these rules; the handler answers the peer it saw and counts its calls. */
async function serveWith(authorization: Record<string, unknown> | undefined, opts: { maxConcurrent?: number; maxQueue?: number } = {}) {
  const { mesh, log } = await accessMesh(authorization ? { authorization } : {});
  meshes.push(mesh);
  let reached = 0;
  const served = await mesh.serve((req, res) => {
    reached++;
    res.end(String(req.mesh.peer));
  }, opts);
  const call = (path: string, peer?: string, method = 'GET') => rawRequest(served.url, path, { method, headers: peer ? { [TEST_PEER]: peer } : {} });
  return { mesh, log, served, call, reached: () => reached };
}

const denied = async (mesh: Mesh, reason: string) => {
  const text = await mesh.metrics.getSingleMetricAsString('inmesh_authz_denied_total');
  const m = new RegExp(`inmesh_authz_denied_total\\{service="orders",reason="${reason}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
};

describe('authorization on mesh.serve', () => {
  it('serves a peer an allow rule names, and refuses another with 403 MESH_ERR_UNAUTHORIZED before the handler', async () => {
    const s = await serveWith({ orders: [{ from: [CHECKOUT], methods: ['GET'], paths: ['/api/*'] }] });
    const ok = await s.call('/api/orders?id=1', CHECKOUT);
    expect([ok.status, ok.body]).toEqual([200, CHECKOUT]);
    const no = await s.call('/api/orders', CART);
    expect(no.status).toBe(403);
    expect(errorCode(no.body)).toBe('MESH_ERR_UNAUTHORIZED');
    expect(no.headers['inmesh-rejected']).toBeUndefined(); // another endpoint has the same rules: not worth a retry
    expect(s.reached()).toBe(1);
    expect(await denied(s.mesh, 'no-rule')).toBe(1);
    const warning = s.log.at('warn').find((e) => e.msg === 'inbound request refused');
    expect(warning?.fields).toMatchObject({ caller: CART, method: 'GET', path: '/api/orders', reason: 'no-rule', status: 403 });
  });

  it('matches methods: POST is refused where only GET is allowed', async () => {
    const s = await serveWith({ orders: [{ from: [CHECKOUT], methods: ['GET'] }] });
    expect((await s.call('/x', CHECKOUT, 'GET')).status).toBe(200);
    expect((await s.call('/x', CHECKOUT, 'POST')).status).toBe(403);
  });

  it('lets a matching deny rule win over an allow rule, counted as deny-rule', async () => {
    const s = await serveWith({ orders: [{ from: ['spiffe://shop.local/svc/*'] }, { action: 'deny', from: [CART], paths: ['/admin/*'] }] });
    expect((await s.call('/admin/users', CHECKOUT)).status).toBe(200);
    expect((await s.call('/admin/users', CART)).status).toBe(403);
    expect((await s.call('/api/x', CART)).status).toBe(200);
    expect(await denied(s.mesh, 'deny-rule')).toBe(1);
  });

  it('matches exact, prefix and in-segment glob paths', async () => {
    const s = await serveWith({ orders: [{ from: ['*'], paths: ['/status', '/api/*', '/orders/*/items'] }] });
    const statuses = [];
    for (const p of ['/status', '/status/x', '/api/a/b', '/api', '/orders/42/items', '/orders/4/2/items']) statuses.push((await s.call(p, CHECKOUT)).status);
    expect(statuses).toEqual([200, 403, 200, 403, 200, 403]);
  });

  it("refuses a plaintext caller even under from: ['*'], counted as no-identity and logged with its address", async () => {
    const s = await serveWith({ orders: [{ from: ['*'] }] });
    expect((await s.call('/', CART)).status).toBe(200);
    expect((await s.call('/')).status).toBe(403);
    expect(await denied(s.mesh, 'no-identity')).toBe(1);
    expect(s.log.at('warn').at(-1)?.fields).toMatchObject({ caller: 'plaintext 127.0.0.1', reason: 'no-identity' });
  });

  it('lets every request through when the service has no rules, and none when its list is empty', async () => {
    const open = await serveWith(undefined);
    expect((await open.call('/admin')).status).toBe(200);
    const closed = await serveWith({ orders: [] });
    expect((await closed.call('/admin', CHECKOUT)).status).toBe(403);
  });

  it.each([
    ['a dot-dot segment', '/api/../admin/users'],
    ['an encoded dot-dot', '/api/%2e%2e/admin/users'],
    ['an encoded slash', '/api%2F..%2Fadmin/users'],
    ['a double slash', '/api//admin/users'],
    ['a backslash', '/api/..\\admin/users'],
  ])('answers a path with %s 400, past neither an allow of /api/* nor a deny of /admin/*', async (_name, path) => {
    const s = await serveWith({ orders: [{ from: ['*'], paths: ['/api/*', '/admin/*'] }, { action: 'deny', paths: ['/admin/*'] }] });
    const a = await s.call(path, CHECKOUT);
    expect(a.status).toBe(400);
    expect(errorCode(a.body)).toBe('MESH_ERR_BAD_REQUEST');
    expect(s.reached()).toBe(0);
  });

  it('decodes escaped letters before matching, so /adm%69n does not get around a deny of /admin/*', async () => {
    const s = await serveWith({ orders: [{ from: ['*'] }, { action: 'deny', paths: ['/admin/*'] }] });
    expect((await s.call('/adm%69n/users', CHECKOUT)).status).toBe(403);
  });

  it('follows a config reload: the new rules apply to the next request', async () => {
    const s = await serveWith({ orders: [{ from: [CART] }] });
    expect((await s.call('/', CART)).status).toBe(200);
    await s.mesh.reload({ identity: { mode: 'none' }, authorization: { orders: [{ from: [CHECKOUT] }] } });
    expect((await s.call('/', CART)).status).toBe(403);
    expect((await s.call('/', CHECKOUT)).status).toBe(200);
    await s.mesh.reload({ identity: { mode: 'none' } });
    expect((await s.call('/')).status).toBe(200);
  });

  it('refuses a denied request while the one slot is taken: 403, not 503, and no admission counted', async () => {
    const { mesh } = await accessMesh({ authorization: { orders: [{ from: [CHECKOUT] }] } });
    meshes.push(mesh);
    const release = gate();
    let entered = 0;
    const served = await mesh.serve(
      async (_req, res) => {
        entered++;
        await release.wait();
        res.end('ok');
      },
      { maxConcurrent: 1, maxQueue: 0 },
    );
    const running = get(`${served.url}/`, { headers: { [TEST_PEER]: CHECKOUT } });
    await waitFor(() => entered === 1, 5000, 'the allowed request running');
    const refused = await rawRequest(served.url, '/', { headers: { [TEST_PEER]: CART } });
    expect(refused.status).toBe(403);
    const shed = await rawRequest(served.url, '/', { headers: { [TEST_PEER]: CHECKOUT } });
    expect(shed.status).toBe(503); // the slot was indeed taken
    release.open();
    expect((await running).status).toBe(200);
    expect(await mesh.metrics.getSingleMetricAsString('inmesh_admission_rejected_total')).toMatch(/reason="concurrency"\} 1\n?$/);
  });
});

describe('authorization behind the framework adapters', () => {
  const rules = { orders: [{ from: ['*'] }, { action: 'deny', paths: ['/admin/*'] }] };

  it('Express: a deny holds for the spellings Express routes to the same handler', async () => {
    const { mesh } = await accessMesh({ authorization: rules });
    meshes.push(mesh);
    const app = express();
    let reached = 0;
    app.get('/admin/users', (_req, res) => void res.send(String(++reached)));
    app.get('/api/orders', (req, res) => void res.send(String(req.mesh.peer)));
    const served = await mesh.serve(app);
    const statuses = [];
    for (const p of ['/admin/users', '/ADMIN/users', '/Admin/Users/']) statuses.push((await rawRequest(served.url, p, { headers: { [TEST_PEER]: CHECKOUT } })).status);
    expect(statuses).toEqual([403, 403, 403]);
    expect(reached).toBe(0);
    expect((await rawRequest(served.url, '/api/orders', { headers: { [TEST_PEER]: CHECKOUT } })).body).toBe(CHECKOUT);
  });

  it('Fastify: the refusal goes out through Fastify with the mesh error body', async () => {
    const { mesh } = await accessMesh({ authorization: rules });
    meshes.push(mesh);
    const app = Fastify();
    let reached = 0;
    app.get('/admin/users', async () => ++reached);
    const served = await mesh.serve(app);
    const a = await rawRequest(served.url, '/admin/users', { headers: { [TEST_PEER]: CHECKOUT } });
    expect(a.status).toBe(403);
    expect(errorCode(a.body)).toBe('MESH_ERR_UNAUTHORIZED');
    expect(reached).toBe(0);
  });
});
