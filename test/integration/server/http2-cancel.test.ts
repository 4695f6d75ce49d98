import { afterEach, describe, expect, it } from 'vitest';
import { connect as h2connect, constants as h2, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import Fastify from 'fastify';
import type { Mesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
const sessions: ClientHttp2Session[] = [];
const apps: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  for (const m of meshes.splice(0)) await m.close();
  for (const a of apps.splice(0)) await a.close();
});

/** A server whose handler waits (bounded) for its signal and records whether it aborted; `/quick` answers at once. */
async function serveWaiting(mesh: Mesh, opts: { maxConcurrent?: number; writeHead?: boolean } = {}) {
  const seen = { entered: 0, aborted: 0, reasons: [] as unknown[] };
  const served = await mesh.serve(
    (req, res) => {
      if (req.url === '/quick') return void res.end('quick');
      seen.entered++;
      if (opts.writeHead) res.writeHead(200).write('partial');
      const signal = req.mesh.signal;
      const bound = setTimeout(() => res.end('late'), 8000);
      signal.addEventListener('abort', () => {
        clearTimeout(bound);
        seen.aborted++;
        seen.reasons.push(signal.reason);
        res.end();
      });
    },
    { maxConcurrent: opts.maxConcurrent ?? 1, maxQueue: 0 },
  );
  return { served, seen };
}

function connect(url: string, onSocket?: (socket: Socket) => void): ClientHttp2Session {
  const { hostname, port } = new URL(url);
  const s = h2connect(url, {
    createConnection: () => {
      const socket = netConnect(Number(port), hostname);
      onSocket?.(socket);
      return socket;
    },
  });
  s.on('error', () => undefined);
  sessions.push(s);
  return s;
}

async function statusCount(mesh: Mesh, status: number): Promise<number> {
  const text = await mesh.metrics.getSingleMetricAsString('http_server_request_duration_seconds');
  const m = new RegExp(`_count\\{[^}]*http_response_status_code="${status}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

function h2status(session: ClientHttp2Session, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    stream.on('response', (h) => resolve(Number(h[':status'])));
    stream.on('error', reject);
    stream.resume();
    stream.end();
  });
}

describe('HTTP/2 clients that go away', () => {
  it('RST_STREAM (CANCEL) aborts req.mesh.signal, frees the slot and counts 499', async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    const { served, seen } = await serveWaiting(mesh);
    const session = connect(served.url);
    const stream = session.request({ ':path': '/' });
    stream.on('error', () => undefined);
    stream.end();
    await waitFor(() => seen.entered === 1, 5000, 'the handler to start');
    stream.close(h2.NGHTTP2_CANCEL);
    await waitFor(() => seen.aborted === 1, 5000, 'the signal to abort');
    expect((seen.reasons[0] as { code?: string }).code).toBe('MESH_ERR_CANCELLED');
    // maxConcurrent 1, no queue: the next stream is admitted only if the slot was freed.
    expect(await h2status(session, '/quick')).toBe(200);
    expect(await statusCount(mesh, 499)).toBe(1);
  });

  for (const how of ['end', 'destroy'] as const) {
    it(`the TCP connection closing (${how}) aborts every stream of the session, frees the slots and counts 499`, async () => {
      const mesh = await serverMesh();
      meshes.push(mesh);
      const { served, seen } = await serveWaiting(mesh, { maxConcurrent: 2 });
      let socket!: Socket;
      const session = connect(served.url, (s) => (socket = s));
      for (let i = 0; i < 2; i++) session.request({ ':path': '/' }).on('error', () => undefined).end();
      await waitFor(() => seen.entered === 2, 5000, 'both handlers to start');
      socket[how]();
      await waitFor(() => seen.aborted === 2, 5000, 'both signals to abort');
      const next = connect(served.url);
      expect(await h2status(next, '/quick')).toBe(200);
      expect(await statusCount(mesh, 499)).toBe(2);
      expect(await statusCount(mesh, 200)).toBe(0);
    });
  }

  it('a client that goes away after the head was sent: the signal aborts and the slot is freed', async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    const { served, seen } = await serveWaiting(mesh, { writeHead: true });
    const session = connect(served.url);
    const stream = session.request({ ':path': '/' });
    stream.on('error', () => undefined);
    await new Promise((resolve) => stream.once('response', resolve));
    stream.close(h2.NGHTTP2_CANCEL);
    await waitFor(() => seen.aborted === 1, 5000, 'the signal to abort');
    expect(await h2status(session, '/quick')).toBe(200);
  });

  it('Fastify 5 on HTTP/2: RST_STREAM aborts request.mesh.signal and frees the slot', async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    const app = Fastify();
    let entered = 0;
    let aborted = 0;
    app.get('/quick', async () => 'quick');
    app.get('/', async (request) => {
      entered++;
      await new Promise<void>((resolve) => {
        const bound = setTimeout(resolve, 8000);
        request.mesh.signal.addEventListener('abort', () => {
          aborted++;
          clearTimeout(bound);
          resolve();
        });
      });
      return 'late';
    });
    const served = await mesh.serve(app, { maxConcurrent: 1, maxQueue: 0 });
    apps.push(app);
    const session = connect(served.url);
    const stream = session.request({ ':path': '/' });
    stream.on('error', () => undefined);
    stream.end();
    await waitFor(() => entered === 1, 5000, 'the handler to start');
    stream.close(h2.NGHTTP2_CANCEL);
    await waitFor(() => aborted === 1, 5000, 'the signal to abort');
    expect(await h2status(session, '/quick')).toBe(200);
  });
});
