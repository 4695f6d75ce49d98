import { afterEach, describe, expect, it } from 'vitest';
import { connect as h2connect, constants as h2 } from 'node:http2';
import { isMeshError, type Mesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { clientMesh, errorCode, gate, get, serverMesh, type Answer } from './serve-helpers.js';

const meshes: Mesh[] = [];
afterEach(async () => {
  for (const m of meshes.splice(0)) await m.close();
});

describe('graceful shutdown', () => {
  it('drain under load: a client keeps sending while the server closes; every accepted request completes', async () => {
    const server = await serverMesh({ inbound: { drainTimeout: '5s' } });
    let accepted = 0;
    let n = 0;
    const served = await server.serve((_req, res) => {
      accepted++;
      // 1–12 ms of work, so that requests are in flight at every moment of the drain.
      setTimeout(() => res.end('ok'), 1 + (n++ % 12));
    });
    const client = await clientMesh({ orders: [`127.0.0.1:${served.port}`] }, { connections: 16 });
    meshes.push(client);

    let ok = 0;
    let closedConnections = 0;
    const otherStatuses: number[] = [];
    const failures: string[] = [];
    let stop = false;
    const stopAt = Date.now() + 10_000;
    const worker = async () => {
      for (let i = 0; i < 2000 && !stop && Date.now() < stopAt; i++) {
        try {
          const res = await client.request('http://orders/', { retry: false });
          await res.body.text();
          if (res.statusCode === 200) ok++;
          else otherStatuses.push(res.statusCode);
          if (res.headers.connection === 'close') closedConnections++;
        } catch (err) {
          failures.push(isMeshError(err) ? `${err.code}` : String(err));
          await new Promise((r) => setTimeout(r, 2));
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await waitFor(() => accepted >= 300, 10_000, '300 requests accepted');
    await server.close();
    stop = true;
    await Promise.all(workers);

    expect(otherStatuses).toEqual([]);
    expect(ok).toBe(accepted); // not one accepted request lost
    expect(closedConnections).toBeGreaterThan(0); // keep-alive connections were asked to close
    expect(failures.length).toBeGreaterThan(0); // the client kept sending after the listener closed
    // What failed never reached the server: refused or cut before a request was accepted.
    for (const f of failures) expect(f).toBe('MESH_ERR_TRANSPORT');
  });

  it('waits for a slow request, which gets connection: close, and refuses new connections meanwhile', async () => {
    const server = await serverMesh();
    const release = gate();
    let entered = 0;
    const served = await server.serve(async (_req, res) => {
      entered++;
      await release.wait();
      res.end('late but complete');
    });
    const slow = get(`${served.url}/`);
    await waitFor(() => entered === 1, 5000, 'the slow request to start');
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await waitFor(async () => (await get(`${served.url}/`).then(() => 'served', (e: { code?: string }) => e.code)) === 'ECONNREFUSED', 5000, 'the listener to close');
    expect(closed).toBe(false);
    release.open();
    const res = await slow;
    expect([res.status, res.body, res.headers.connection]).toEqual([200, 'late but complete', 'close']);
    await closing;
    expect(entered).toBe(1);
  });

  it('past the drain timeout, ends what is left with 503 and aborts its signal', async () => {
    const server = await serverMesh({ inbound: { drainTimeout: '150ms' } });
    let reason: unknown;
    let entered = false;
    const served = await server.serve((req) => {
      entered = true;
      req.mesh.signal.addEventListener('abort', () => (reason = req.mesh.signal.reason));
      // never answers
    });
    const hanging = get(`${served.url}/`).catch((e: unknown) => e);
    await waitFor(() => entered, 5000, 'the request to start');
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(isMeshError(reason) && reason.code).toBe('MESH_ERR_CLOSED');
    // The request that never got an answer is ended with one: 503, the connection then closes.
    const answer = (await hanging) as Answer;
    expect([answer.status, errorCode(answer.body), answer.headers.connection]).toEqual([503, 'MESH_ERR_CLOSED', 'close']);
  });

  it('HTTP/2: GOAWAY on drain; the stream in flight completes, the session takes no new ones', async () => {
    const server = await serverMesh();
    const release = gate();
    let entered = false;
    const served = await server.serve(async (_req, res) => {
      entered = true;
      await release.wait();
      res.end('h2 done');
    });
    const session = h2connect(served.url);
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    const stream = session.request({ ':path': '/' });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (body += d));
    const done = new Promise<number>((resolve) => stream.on('response', (h) => stream.on('end', () => resolve(Number(h[':status'])))));
    await waitFor(() => entered, 5000, 'the h2 stream to reach the handler');
    const closing = server.close();
    expect(await goaway).toBe(h2.NGHTTP2_NO_ERROR);
    release.open();
    expect(await done).toBe(200);
    expect(body).toBe('h2 done');
    await closing;
    session.destroy();
  });
});
