import { afterEach, describe, expect, it } from 'vitest';
import { connect as h2connect } from 'node:http2';
import { connect, type Socket } from 'node:net';
import type { Mesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { errorCode, get, serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.destroy();
  for (const m of meshes.splice(0)) await m.close();
});

/** A client that sends a head announcing 1000 body bytes, then one byte every 100 ms; resolves with what came back. */
function slowUpload(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n');
      timers.push(setInterval(() => socket.writable && socket.write('a'), 100));
    });
    sockets.push(socket);
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (out += d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(out));
  });
}

/**
 * A client that asks for a large response and does not read it until `drain()`, which then reads
 * what is left and resolves with the bytes received once the server has closed the connection.
 */
function stalledReader(port: number, head: string): { drain(): Promise<number> } {
  const socket = connect(port, '127.0.0.1', () => socket.write(head));
  sockets.push(socket);
  socket.pause(); // a paused socket does not read, so the server's writes back up
  let bytes = 0;
  socket.on('data', (d: Buffer) => (bytes += d.length));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(bytes)));
  return {
    drain() {
      socket.resume();
      return closed;
    },
  };
}

const BIG = 16 * 1024 * 1024;

describe('slow clients at the deadline', () => {
  it('slow uploads answer 504 at inbound.timeout and free their slots for a fresh client', async () => {
    const server = await serverMesh({ inbound: { maxConcurrent: 2, timeout: '300ms' } });
    meshes.push(server);
    let entered = 0;
    const served = await server.serve((req, res) => {
      entered++;
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(`got ${n}`));
    });
    const uploads = [slowUpload(served.port), slowUpload(served.port)];
    await waitFor(() => entered === 2, 5000, 'both slow uploads to take a slot');
    // Both slots are taken until the deadline; once it passes each upload gets its 504.
    const answers = await Promise.all(uploads);
    for (const a of answers) {
      expect(a.split(' ')[1]).toBe('504');
      expect(a.toLowerCase()).toContain('connection: close');
      expect(errorCode(a.split('\r\n\r\n')[1] ?? '')).toBe('MESH_ERR_DEADLINE_EXCEEDED');
    }
    const fresh = await get(`${served.url}/upload`, { method: 'POST', body: 'hello' });
    expect([fresh.status, fresh.body]).toEqual([200, 'got 5']);
    expect(await server.metrics.getSingleMetricAsString('http_server_request_duration_seconds')).toMatch(/http_response_status_code="504"/);
  });

  it("a reader that never reads a large response has its connection cut at the caller's deadline, and its slot freed", async () => {
    const server = await serverMesh({ inbound: { maxConcurrent: 1 } });
    meshes.push(server);
    let aborted = 0;
    const served = await server.serve((req, res) => {
      req.mesh.signal.addEventListener('abort', () => aborted++);
      if (req.url === '/big') res.end(Buffer.alloc(BIG, 'x'));
      else res.end('small');
    });
    const reader = stalledReader(served.port, 'GET /big HTTP/1.1\r\nhost: x\r\ninmesh-deadline-ms: 300\r\n\r\n');
    await waitFor(() => aborted === 1, 5000, 'the deadline to pass');
    const fresh = await get(`${served.url}/small`);
    expect([fresh.status, fresh.body]).toEqual([200, 'small']);
    expect(await reader.drain()).toBeLessThan(BIG); // the response was cut, not delivered
  });

  it('inbound.timeout cuts a reader that never reads as well', async () => {
    const server = await serverMesh({ inbound: { maxConcurrent: 1, timeout: '300ms' } });
    meshes.push(server);
    const served = await server.serve((req, res) => {
      if (req.url === '/big') res.end(Buffer.alloc(BIG, 'x'));
      else res.end('small');
    });
    const reader = stalledReader(served.port, 'GET /big HTTP/1.1\r\nhost: x\r\n\r\n');
    await waitFor(async () => (await get(`${served.url}/small`)).status === 200, 5000, 'a fresh client to be served');
    expect(await reader.drain()).toBeLessThan(BIG);
  });

  it('a head trickled in byte by byte is cut at inbound.headersTimeout with 408', async () => {
    const server = await serverMesh({ inbound: { headersTimeout: '400ms' } });
    meshes.push(server);
    const served = await server.serve((_req, res) => res.end('ok'));
    const t0 = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(served.port, '127.0.0.1', () => {
        socket.write('GET / HTTP/1.1\r\nhost: x\r\n');
        timers.push(setInterval(() => socket.writable && socket.write('x'), 100));
      });
      sockets.push(socket);
      let out = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (out += d));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(out));
    });
    expect(answer.split(' ')[1]).toBe('408');
    expect(Date.now() - t0).toBeLessThan(5000); // Node's own default would wait 60 s and check every 30 s
  });

  it('a handler that answers after the deadline: the caller has its 504, the late answer is dropped without an error', async () => {
    const server = await serverMesh();
    meshes.push(server);
    let lateWrite: unknown = 'not yet';
    const served = await server.serve(async (req, res) => {
      await new Promise((r) => req.mesh.signal.addEventListener('abort', r));
      try {
        res.setHeader('x-late', '1');
        res.writeHead(200).end('late');
        lateWrite = undefined;
      } catch (err) {
        lateWrite = err;
      }
    });
    const res = await get(`${served.url}/`, { headers: { 'inmesh-deadline-ms': '100' } });
    expect([res.status, errorCode(res.body), res.headers['x-late']]).toEqual([504, 'MESH_ERR_DEADLINE_EXCEEDED', undefined]);
    await waitFor(() => lateWrite !== 'not yet', 5000, 'the handler to write');
    expect(lateWrite).toBeUndefined();
  });

  it('HTTP/2: a stream past its deadline gets 504 and frees its slot for the next stream', async () => {
    const server = await serverMesh({ inbound: { maxConcurrent: 1 } });
    meshes.push(server);
    const served = await server.serve((req, res) => {
      if (req.url === '/ok') res.end('ok');
      // '/hang' never answers
    });
    const session = h2connect(served.url);
    try {
      const status = (path: string, headers: Record<string, string> = {}) =>
        new Promise<number>((resolve, reject) => {
          const stream = session.request({ ':path': path, ...headers });
          stream.on('response', (h) => resolve(Number(h[':status'])));
          stream.on('error', reject);
          stream.resume();
        });
      expect(await status('/hang', { 'inmesh-deadline-ms': '200' })).toBe(504);
      expect(await status('/ok')).toBe(200);
    } finally {
      session.destroy();
    }
  });
});
