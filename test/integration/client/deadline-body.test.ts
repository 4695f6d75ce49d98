import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);

/** What `p` rejected with (or 'resolved' / 'pending' after `ms`), and how long it took. */
async function outcome(p: Promise<unknown>, ms = 4000): Promise<{ err: unknown; took: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((r) => (timer = setTimeout(() => r('pending'), ms)));
  const err = await Promise.race([p.then(() => 'resolved', (e: unknown) => e), late]).finally(() => clearTimeout(timer));
  return { err, took: Date.now() - started };
}

async function server(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const s = open.add(await startHttpServer(handler));
  let closed = 0;
  s.server.on('connection', (socket) => socket.on('close', () => closed++));
  return { ...s, closed: () => closed };
}

/** Sends the head and a first chunk of the body, then stalls. */
const stallBody = (req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write('first part;');
};

async function meshFor(address: string, orders: Record<string, unknown>): Promise<Mesh> {
  mesh = await createMesh({ service: 'checkout', watch: false, config: { identity: { mode: 'none' }, services: { orders: { endpoints: [address], tls: 'none', ...orders } } } });
  await mesh.ready();
  return mesh;
}

describe('the deadline covers the response body', () => {
  it("the service timeout ends a stalled body with MESH_ERR_DEADLINE_EXCEEDED and closes the connection", async () => {
    const s = await server(stallBody);
    const m = await meshFor(s.address, { timeout: '300ms' });
    const res = await m.request('http://orders/');
    expect(res.statusCode).toBe(200);
    const { err, took } = await outcome(res.body.text());
    expect(err).toMatchObject({ code: 'MESH_ERR_DEADLINE_EXCEEDED', service: 'orders' });
    expect(took).toBeLessThan(3000);
    await waitFor(() => s.closed() === 1, 5000, 'the server to see the connection close');
  });

  it('with retries, a per-try timeout and hedging in the stack as well', async () => {
    const s = await server(stallBody);
    const m = await meshFor(s.address, {
      timeout: '400ms',
      perTryTimeout: '200ms',
      retries: { attempts: 3, on: [503, 'timeout'] },
      routes: [{ match: { methods: ['GET'] }, hedge: { delay: '100ms', maxAttempts: 2 } }],
    });
    const res = await m.request('http://orders/');
    const { err, took } = await outcome(res.body.text());
    expect(err).toMatchObject({ code: 'MESH_ERR_DEADLINE_EXCEEDED' });
    expect(took).toBeLessThan(3000);
    await waitFor(() => s.closed() === s.hits(), 5000, 'the server to see every connection close');
  });

  it('so does a per-call timeout, and mesh.fetch reading the body', async () => {
    const s = await server(stallBody);
    const m = await meshFor(s.address, {});
    const res = await m.request('http://orders/', { timeout: 300 });
    expect((await outcome(res.body.text())).err).toMatchObject({ code: 'MESH_ERR_DEADLINE_EXCEEDED' });
    const viaFetch = await m.fetch('http://orders/', { timeout: 300 });
    const { err } = await outcome(viaFetch.text());
    expect(err).toBeInstanceOf(TypeError); // WHATWG: 'terminated', with the mesh's reason as cause
    expect((err as Error).cause).toMatchObject({ code: 'MESH_ERR_DEADLINE_EXCEEDED' });
    await waitFor(() => s.closed() === 2, 5000, 'the server to see both connections close');
  });

  it('so does a deadline inherited from the request being served', async () => {
    const s = await server(stallBody);
    const m = await meshFor(s.address, {});
    let seen: unknown = 'nothing';
    const served = await m.serve(async (_req, res) => {
      try {
        const upstream = await m.request('http://orders/');
        seen = (await outcome(upstream.body.text())).err;
      } catch (err) {
        seen = err;
      }
      res.end();
    });
    const call = request(`${served.url}/`, { headers: { 'inmesh-deadline-ms': '300' } }).then((r) => r.body.dump(), () => undefined);
    await waitFor(() => seen !== 'nothing', 5000, 'the upstream body to end');
    expect(seen).toMatchObject({ code: 'MESH_ERR_DEADLINE_EXCEEDED' });
    await call;
    await waitFor(() => s.closed() === 1, 5000, 'the server to see the connection close');
  });
});

describe('idleTimeout guards calls with no deadline', () => {
  it('a body silent for idleTimeout fails as a transport timeout', async () => {
    const s = await server(stallBody);
    const m = await meshFor(s.address, { idleTimeout: '300ms' });
    const res = await m.request('http://orders/');
    const { err, took } = await outcome(res.body.text());
    expect(err).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'timeout', service: 'orders' });
    expect((err as Error).cause).toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
    expect(took).toBeLessThan(3000);
  });

  it('a reload that changes idleTimeout applies to an endpoint already in use', async () => {
    const s = await server((req, res) => (req.url === '/stall' ? stallBody(req, res) : (req.resume(), res.end('ok'))));
    const m = await meshFor(s.address, {});
    expect(await (await m.request('http://orders/')).body.text()).toBe('ok');
    await m.reload({ identity: { mode: 'none' }, services: { orders: { endpoints: [s.address], tls: 'none', idleTimeout: '300ms' } } });
    const res = await m.request('http://orders/stall');
    expect((await outcome(res.body.text())).err).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'timeout' });
  });

  it('so does a head that never comes', async () => {
    const s = await server((req) => req.resume());
    const m = await meshFor(s.address, { idleTimeout: '300ms' });
    const { err } = await outcome(m.request('http://orders/'));
    expect(err).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'timeout' });
    expect((err as Error).cause).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
  });
});

describe('buffering a streamed request body for replay', () => {
  it('a stalled upload with retries on fails at the deadline', async () => {
    const s = await server((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const m = await meshFor(s.address, { timeout: '300ms', retries: { attempts: 3, on: [503] } });
    let destroyed = false;
    const body = new Readable({ read() {} });
    body.push('a first chunk and then nothing');
    body.on('close', () => (destroyed = true));
    const { err, took } = await outcome(m.request('http://orders/', { method: 'POST', body }));
    expect(err).toMatchObject({ code: 'MESH_ERR_DEADLINE_EXCEEDED' });
    expect(took).toBeLessThan(3000);
    await waitFor(() => destroyed, 2000, 'the body to be destroyed');
  });
});

describe('the deadline sent downstream', () => {
  it('is plain digits, at most what a timer can wait, however long the caller allows', async () => {
    const seen: string[] = [];
    const s = await server((req, res) => {
      seen.push(String(req.headers['inmesh-deadline-ms']));
      req.resume();
      res.end('ok');
    });
    const m = await meshFor(s.address, {});
    for (const timeout of [1e308, 720 * 3600 * 1000]) await (await m.request('http://orders/', { timeout })).body.dump();
    expect(seen).toEqual([String(2 ** 31 - 1), String(2 ** 31 - 1)]);
  });
});
