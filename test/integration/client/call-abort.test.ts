import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMesh, isMeshError, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);

/** Settles with what `p` settled with, or with 'pending' if it takes longer than `ms`. */
function within<T>(p: Promise<T>, ms = 2000): Promise<T | unknown | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((r) => (timer = setTimeout(() => r('pending'), ms)));
  return Promise.race([p.catch((e: unknown) => e), late]).finally(() => clearTimeout(timer));
}

/** A server whose handler is `handler`; `closed()` counts server-side sockets that closed. */
async function server(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const s = open.add(await startHttpServer(handler));
  let closed = 0;
  s.server.on('connection', (socket) => socket.on('close', () => closed++));
  return { ...s, closed: () => closed };
}

async function meshFor(address: string, extra: Record<string, unknown> = {}, random?: () => number): Promise<Mesh> {
  mesh = await createMesh({ service: 'checkout', watch: false, ...(random && { random }), config: { identity: { mode: 'none' }, services: { orders: { endpoints: [address], tls: 'none', ...extra } } } });
  await mesh.ready();
  return mesh;
}

describe('cancelling a call', () => {
  it('an already-aborted signal rejects at once with MESH_ERR_CANCELLED and sends nothing (timeout set or not)', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const m = await meshFor(s.address);
    const reason = new Error('user gave up');
    for (const timeout of [undefined, 5000]) {
      const err = await within(m.request('http://orders/', { signal: AbortSignal.abort(reason), ...(timeout && { timeout }) }));
      expect(isMeshError(err)).toBe(true);
      expect(err).toMatchObject({ code: 'MESH_ERR_CANCELLED', service: 'orders' });
      expect((err as Error).cause).toBe(reason);
    }
    expect(s.hits()).toBe(0);
    // mesh.fetch keeps WHATWG's behaviour: it rejects at once with the signal's reason.
    expect(await within(m.fetch('http://orders/', { signal: AbortSignal.abort(reason) }))).toBe(reason);
  });

  it('an abort while waiting for the head rejects at once and closes the upstream connection', async () => {
    let arrived = 0;
    const s = await server((req) => {
      arrived++;
      req.resume(); // never answers
    });
    const m = await meshFor(s.address);
    const ac = new AbortController();
    const pending = within(m.request('http://orders/', { signal: ac.signal }), 3000);
    await waitFor(() => arrived === 1, 5000, 'the request to arrive');
    ac.abort(new Error('stop'));
    const err = await pending;
    expect(err).toMatchObject({ code: 'MESH_ERR_CANCELLED' });
    expect((err as Error).cause).toEqual(new Error('stop'));
    await waitFor(() => s.closed() === 1, 5000, 'the server to see its connection close');
  });

  it('an abort during a retry backoff rejects at once, without the retry', async () => {
    const s = await server((req, res) => {
      req.resume();
      res.writeHead(503).end();
    });
    // Backoff has full jitter: a random of 0.99 makes this one 19.8 s, so no retry can come before the abort.
    const m = await meshFor(s.address, { retries: { attempts: 3, on: [503], backoff: { base: '20s', max: '20s' } } }, () => 0.99);
    const ac = new AbortController();
    const started = Date.now();
    const pending = within(m.request('http://orders/', { signal: ac.signal }), 3000);
    await waitFor(() => s.hits() === 1, 5000, 'the first attempt');
    await new Promise((r) => setTimeout(r, 50)); // now in the backoff
    ac.abort(new Error('stop'));
    expect(await pending).toMatchObject({ code: 'MESH_ERR_CANCELLED' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(s.hits()).toBe(1);
  });

  it('an abort mid-body ends the body and closes the upstream connection', async () => {
    const s = await server((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part;');
    });
    const m = await meshFor(s.address);
    const ac = new AbortController();
    const res = await m.request('http://orders/', { signal: ac.signal });
    expect(res.statusCode).toBe(200);
    const text = within(res.body.text(), 3000);
    await new Promise((r) => setTimeout(r, 20));
    ac.abort(new Error('stop'));
    const err = await text;
    expect(err).toBeInstanceOf(Error);
    await waitFor(() => s.closed() === 1, 5000, 'the server to see its connection close');
  });
});

describe('the errors a caller sees', () => {
  it('mesh.request rejects with a MeshError naming the service; mesh.fetch with TypeError whose cause is it', async () => {
    const gone = await startHttpServer((_, res) => res.end());
    await gone.close();
    const m = await meshFor(gone.address);
    const err = await m.request('http://orders/').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'connect-failure', service: 'orders', endpoint: gone.address });
    const viaFetch = await m.fetch('http://orders/').catch((e: unknown) => e);
    expect(viaFetch).toBeInstanceOf(TypeError);
    expect((viaFetch as Error).message).toBe('fetch failed');
    expect((viaFetch as Error).cause).toMatchObject({ code: 'MESH_ERR_TRANSPORT', service: 'orders' });
  });

  it('a failure of a call going straight out (pass-through) is a MeshError with the undici error as cause', async () => {
    const gone = await startHttpServer((_, res) => res.end());
    await gone.close();
    const m = await meshFor('127.0.0.1:9');
    const err = await m.request(`${gone.url}/`).catch((e: unknown) => e);
    expect(isMeshError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'connect-failure', endpoint: `127.0.0.1:${gone.port}` });
    expect((err as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    const live = await server((_req, res) => res.end('ok'));
    const aborted = await within(m.request(`${live.url}/`, { signal: AbortSignal.abort(new Error('no')) }));
    expect(aborted).toMatchObject({ code: 'MESH_ERR_CANCELLED' });
    expect((aborted as Error).cause).toEqual(new Error('no'));
    const viaFetch = await m.fetch(`${gone.url}/`).catch((e: unknown) => e);
    expect(viaFetch).toBeInstanceOf(TypeError);
    expect((viaFetch as Error).cause).toMatchObject({ code: 'MESH_ERR_TRANSPORT' });
  });

  it('bad per-call options and malformed requests are MeshErrors, never a raw error or a spinning timer', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const m = await meshFor(s.address);
    for (const timeout of [NaN, -1, '100' as unknown as number]) {
      expect(await m.request('http://orders/', { timeout }).catch((e: unknown) => e)).toMatchObject({ code: 'MESH_ERR_BAD_REQUEST' });
    }
    expect(await m.request('http://orders/', { deadline: NaN }).catch((e: unknown) => e)).toMatchObject({ code: 'MESH_ERR_BAD_REQUEST' });
    expect(await m.request('http://orders/', { retry: { attempts: 2, backoff: { base: -1, max: 10 } } }).catch((e: unknown) => e)).toMatchObject({ code: 'MESH_ERR_BAD_REQUEST', service: 'orders' });
    expect(await m.request('http://orders/', { hedge: { delay: -1 } }).catch((e: unknown) => e)).toMatchObject({ code: 'MESH_ERR_BAD_REQUEST' });
    expect(await m.request('http://orders/', { method: 'BAD METHOD' as 'GET' }).catch((e: unknown) => e)).toMatchObject({ code: 'MESH_ERR_BAD_REQUEST' });
    expect(s.hits()).toBe(0);
  });
});
