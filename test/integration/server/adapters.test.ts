import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import type { FastifyInstance } from 'fastify';
import { currentInboundScope } from '../../../src/core/index.js';
import { inmeshExpress, inmeshFastify, type InboundMesh, type Mesh, type MeshServer, type ServeApp } from '../../../src/index.js';
import { startHttpServer, type TestServer } from '../../helpers/http-server.js';
import { clientMesh, get, serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const m of meshes.splice(0)) await m.close();
  for (const c of closers.splice(0)) await c();
});

/** What every handler answers: what it saw of the mesh while serving. */
function seen(kind: string, id: string | undefined, mesh: InboundMesh, body?: unknown) {
  return {
    kind,
    id,
    service: mesh.service,
    peer: mesh.peer ?? null,
    remaining: mesh.remaining(),
    inScope: currentInboundScope() === mesh,
    signalAborted: mesh.signal.aborted,
    body: body ?? null,
  };
}

const apps: Record<string, () => ServeApp> = {
  'Express 5': () => {
    const app = express();
    app.use(express.json());
    app.get('/api/orders/:id', (req, res) => void res.json(seen('express5', req.params.id, req.mesh)));
    app.post('/api/orders/:id', (req, res) => void res.json(seen('express5', req.params.id, req.mesh, req.body)));
    return app;
  },
  'Express 4': () => {
    const app = express4();
    app.use(express4.json());
    app.get('/api/orders/:id', (req, res) => void res.json(seen('express4', req.params.id, req.mesh)));
    app.post('/api/orders/:id', (req, res) => void res.json(seen('express4', req.params.id, req.mesh, req.body)));
    return app;
  },
  'Fastify 5': () => {
    const app = Fastify();
    app.get<{ Params: { id: string } }>('/api/orders/:id', async (request) => seen('fastify5', request.params.id, request.mesh));
    app.post<{ Params: { id: string } }>('/api/orders/:id', async (request) => seen('fastify5', request.params.id, request.mesh, request.body));
    closers.push(() => app.close());
    return app;
  },
  'Fastify 4': () => {
    // Typed with Fastify 5's declarations (installed as `fastify`); an app on Fastify 4 sees its own.
    const app = Fastify4() as unknown as FastifyInstance;
    app.get<{ Params: { id: string } }>('/api/orders/:id', async (request) => seen('fastify4', request.params.id, request.mesh));
    app.post<{ Params: { id: string } }>('/api/orders/:id', async (request) => seen('fastify4', request.params.id, request.mesh, request.body));
    closers.push(() => app.close());
    return app;
  },
};

describe('mesh.serve wraps Express 4 and 5 and Fastify 4 and 5, called through the mesh client', () => {
  for (const [name, make] of Object.entries(apps)) {
    it(`${name}: req.mesh, the inbound scope, the deadline from the caller, load report and metrics`, async () => {
      const server = await serverMesh();
      meshes.push(server);
      const served: MeshServer = await server.serve(make(), { port: 0 });
      expect(served.url).toBe(`http://127.0.0.1:${served.port}`);
      const client = await clientMesh({ orders: [`127.0.0.1:${served.port}`] });
      meshes.push(client);

      // The client's per-call timeout travels as inmesh-deadline-ms and becomes the handler's deadline.
      const res = await client.request('http://orders/api/orders/42', { timeout: 3000 });
      const body = (await res.body.json()) as ReturnType<typeof seen>;
      expect(res.statusCode).toBe(200);
      expect(body).toMatchObject({ id: '42', service: 'orders', peer: null, inScope: true, signalAborted: false });
      expect(body.remaining).toBeGreaterThan(2000);
      expect(body.remaining).toBeLessThanOrEqual(3000);
      expect(res.headers['inmesh-load']).toMatch(/^inflight=1;elu=[01]\.\d{3}$/);

      // A body parsed by the framework: the handler still runs in the scope.
      const post = await client.request('http://orders/api/orders/7', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qty: 2 }) });
      expect(await post.body.json()).toMatchObject({ id: '7', body: { qty: 2 }, inScope: true, remaining: null });

      const metrics = await server.metrics.getSingleMetricAsString('http_server_request_duration_seconds');
      expect(metrics).toMatch(/http_server_request_duration_seconds_count\{service="orders",route="\/api\/orders\/:id",http_request_method="GET",http_response_status_code="200"\} 1/);
      expect(metrics).toMatch(/route="\/api\/orders\/:id",http_request_method="POST",http_response_status_code="200"\} 1/);
    });
  }

  it('a request listener: req.mesh without any framework', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const served = await server.serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(seen('node', undefined, req.mesh)));
    });
    expect([served.kind, served.protocols]).toEqual(['node', ['http/1.1', 'h2c']]);
    const client = await clientMesh({ orders: [`127.0.0.1:${served.port}`] });
    meshes.push(client);
    const res = await client.request('http://orders/x', { headers: { 'inmesh-deadline-ms': '1500' } });
    const body = (await res.body.json()) as ReturnType<typeof seen>;
    expect(body).toMatchObject({ kind: 'node', inScope: true });
    expect(body.remaining).toBeGreaterThan(1000);
    expect(body.remaining).toBeLessThanOrEqual(1500);
  });

  it('outbound calls made while serving inherit the inbound deadline', async () => {
    let downstreamBudget: string | undefined;
    const stock: TestServer = await startHttpServer((req, res) => {
      downstreamBudget = req.headers['inmesh-deadline-ms'] as string | undefined;
      res.end('42');
    });
    closers.push(() => stock.close());
    const server = await serverMesh({ services: { stock: { endpoints: [stock.address], tls: 'none' } } });
    meshes.push(server);
    const app = express();
    app.get('/api/orders/:id', async (req, res) => {
      const r = await server.request('http://stock/api/stock/1');
      res.json({ stock: await r.body.text() });
    });
    const served = await server.serve(app);
    const client = await clientMesh({ orders: [`127.0.0.1:${served.port}`] });
    meshes.push(client);
    const res = await client.request('http://orders/api/orders/1', { timeout: 2000 });
    expect(await res.body.json()).toEqual({ stock: '42' });
    expect(Number(downstreamBudget)).toBeGreaterThan(1000);
    expect(Number(downstreamBudget)).toBeLessThanOrEqual(2000);
  });

  // The inbound scope is entered on a fast path per adapter (a Fastify onRequest hook, the node:http
  // listener): each must still hand the caller's deadline to an outbound call made after an await.
  const callingApps: Record<string, (call: () => Promise<string>) => ServeApp> = {
    'Fastify 5': (call) => {
      const app = Fastify();
      app.get('/api/orders/:id', async () => ({ stock: await call() }));
      closers.push(() => app.close());
      return app;
    },
    'Fastify 4': (call) => {
      const app = Fastify4() as unknown as FastifyInstance;
      app.get('/api/orders/:id', async () => ({ stock: await call() }));
      closers.push(() => app.close());
      return app;
    },
    'a request listener': (call) => (_req, res) => {
      void Promise.resolve()
        .then(call)
        .then((stock) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ stock })));
    },
  };
  for (const [name, make] of Object.entries(callingApps)) {
    it(`${name}: an outbound call made after an await inherits the inbound deadline`, async () => {
      const budgets: Array<string | undefined> = [];
      const stock: TestServer = await startHttpServer((req, res) => {
        budgets.push(req.headers['inmesh-deadline-ms'] as string | undefined);
        res.end('42');
      });
      closers.push(() => stock.close());
      const server = await serverMesh({ services: { stock: { endpoints: [stock.address], tls: 'none' } } });
      meshes.push(server);
      const call = async () => {
        await new Promise((resolve) => setImmediate(resolve));
        const r = await server.request('http://stock/api/stock/1');
        return r.body.text();
      };
      const served = await server.serve(make(call), { port: 0 });
      const client = await clientMesh({ orders: [`127.0.0.1:${served.port}`] });
      meshes.push(client);
      // Two requests on one connection: the second must carry its own budget, not the first one's.
      for (const timeout of [2000, 1200]) {
        const res = await client.request('http://orders/api/orders/1', { timeout });
        expect(await res.body.json()).toEqual({ stock: '42' });
      }
      expect(budgets).toHaveLength(2);
      expect(Number(budgets[0])).toBeGreaterThan(1200);
      expect(Number(budgets[0])).toBeLessThanOrEqual(2000);
      expect(Number(budgets[1])).toBeGreaterThan(500);
      expect(Number(budgets[1])).toBeLessThanOrEqual(1200);
    });
  }

  it('serves a Fastify app that registered inmeshFastify itself, once', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const app = Fastify();
    closers.push(() => app.close());
    await app.register(inmeshFastify, { mesh: server, maxConcurrent: 1 });
    app.get('/', async (request) => ({ remaining: request.mesh.remaining() }));
    const served = await server.serve(app);
    const res = await get(`${served.url}/`, { headers: { 'inmesh-deadline-ms': '900' } });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { remaining: number }).remaining).toBeLessThanOrEqual(900);
    expect(String(res.headers['inmesh-load'])).toMatch(/^inflight=1;/); // one stack: one load header, not two
  });

  it('refuses a Fastify instance that is already booted without the plugin, with a clear error', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const app = Fastify();
    closers.push(() => app.close());
    await app.ready();
    await expect(server.serve(app)).rejects.toThrow(/before app.ready\(\) or app.listen\(\)/);
  });
});

describe('adapters for apps that own their listener', () => {
  it('inmeshExpress: Express 4 middleware with app.listen', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const app = express4();
    app.use(inmeshExpress(server));
    app.get('/api/orders/:id', (req, res) => void res.json(seen('express4', req.params.id, req.mesh)));
    const http = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    closers.push(() => new Promise((r) => http.close(r)));
    const port = (http.address() as { port: number }).port;
    const client = await clientMesh({ orders: [`127.0.0.1:${port}`] });
    meshes.push(client);
    const res = await client.request('http://orders/api/orders/5', { timeout: 1000 });
    expect(await res.body.json()).toMatchObject({ id: '5', inScope: true, service: 'orders' });
    expect(res.headers['inmesh-load']).toMatch(/^inflight=1;/);
    expect(await server.metrics.getSingleMetricAsString('http_server_request_duration_seconds')).toMatch(/route="\/api\/orders\/:id"/);
  });

  it('inmeshFastify: a Fastify 5 plugin with app.listen', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const app = Fastify();
    closers.push(() => app.close());
    await app.register(inmeshFastify, { mesh: server });
    app.get<{ Params: { id: string } }>('/api/orders/:id', async (request) => seen('fastify5', request.params.id, request.mesh));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const res = await get(`http://127.0.0.1:${port}/api/orders/9`, { headers: { 'inmesh-deadline-ms': 'tomorrow' } });
    expect(res.status).toBe(400);
    const ok = await get(`http://127.0.0.1:${port}/api/orders/9`, { headers: { 'inmesh-deadline-ms': '800' } });
    expect(JSON.parse(ok.body)).toMatchObject({ id: '9', inScope: true });
  });

  it('inmeshFastify: a Fastify 4 plugin with app.listen', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const app = Fastify4() as unknown as FastifyInstance;
    closers.push(() => app.close());
    await app.register(inmeshFastify, { mesh: server });
    app.get('/ping', async (request) => ({ service: request.mesh.service, inScope: currentInboundScope() === request.mesh }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const res = await get(`http://127.0.0.1:${port}/ping`, { headers: { 'inmesh-caller': '1' } });
    expect(JSON.parse(res.body)).toEqual({ service: 'orders', inScope: true });
    expect(String(res.headers['inmesh-load'])).toMatch(/^inflight=1;/);
  });

  it('inmeshExpress refuses something that is not a mesh', () => {
    expect(() => inmeshExpress({ service: 'fake' })).toThrow(/createMesh/);
  });
});
