import { afterEach, describe, expect, it } from 'vitest';
import { connect as h2connect, constants as h2, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { Mesh, MeshServer } from '../../../src/index.js';
import { MAX_CONCURRENT_STREAMS, RESET_BURST, RESET_RATE } from '../../../src/server/h2-session-guard.js';
import { waitFor } from '../../helpers/http-server.js';
import { getRequest, goawayCode, PREFACE, rstStream, settings } from './h2-frames.js';
import { gate, serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const m of meshes.splice(0)) await m.close();
});

/** A request listener on h2c; `/hold` waits at the gate (or until its signal aborts), the rest answer at once. */
async function serveCounting(opts: { keepAliveTimeout?: number; headersTimeout?: number } = {}) {
  const mesh = await serverMesh();
  meshes.push(mesh);
  const release = gate();
  closers.push(() => release.open());
  const seen = { entered: 0 };
  const served: MeshServer = await mesh.serve(
    (req, res) => {
      seen.entered++;
      if (req.url === '/hold') {
        req.mesh.signal.addEventListener('abort', () => res.destroy());
        void release.wait().then(() => res.end('held'));
      } else if (req.url === '/slow') setTimeout(() => res.end('slow'), 800);
      else res.end('ok');
    },
    opts.keepAliveTimeout === undefined ? {} : { keepAliveTimeout: opts.keepAliveTimeout },
  );
  // The port's head timeout is the HTTP/1.1 server's; HTTP/2 takes the same.
  if (opts.headersTimeout !== undefined) served.httpServer.headersTimeout = opts.headersTimeout;
  return { mesh, served, seen, release };
}

function session(url: string): ClientHttp2Session {
  const s = h2connect(url);
  s.on('error', () => undefined);
  closers.push(() => s.destroy());
  return s;
}

function rawSocket(served: MeshServer): Socket {
  const socket = netConnect(served.port, served.host);
  socket.on('error', () => undefined);
  socket.resume(); // reading, so the server's FIN is seen
  closers.push(() => socket.destroy());
  return socket;
}

/** Resolves with the status, or with `reset <code>` when the server reset the stream instead. */
function ask(s: ClientHttp2Session, path: string, headers: Record<string, string> = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const stream = s.request({ ':path': path, ...headers });
    stream.on('response', (h) => resolve(Number(h[':status'])));
    stream.on('close', () => resolve(`reset ${stream.rstCode}`));
    stream.on('error', () => undefined);
    stream.resume();
    stream.end();
  });
}

/** Resolves when the socket closes, or rejects after `ms` (a bound on the wait, not a timing claim). */
async function closedWithin(socket: Socket, ms: number): Promise<void> {
  if (socket.destroyed) return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the server kept the connection open for ${ms} ms`)), ms);
    socket.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

describe('h2c sessions that would stay open forever', () => {
  it('4 bytes of "PRI " are dropped after the head timeout', async () => {
    const { served } = await serveCounting({ headersTimeout: 300 });
    const socket = rawSocket(served);
    await once(socket, 'connect');
    socket.write('PRI ');
    await closedWithin(socket, 5000);
  });

  it('a preface without SETTINGS is dropped after the head timeout', async () => {
    const { served } = await serveCounting({ headersTimeout: 300 });
    const socket = rawSocket(served);
    await once(socket, 'connect');
    socket.write(PREFACE);
    await closedWithin(socket, 5000);
  });

  it('an idle session gets GOAWAY after the keep-alive timeout; a stream open past it is still answered', async () => {
    const { served } = await serveCounting({ keepAliveTimeout: 300 });
    const s = session(served.url);
    const closed = once(s, 'close');
    const goaway = new Promise<number>((resolve) => s.once('goaway', (code: number) => resolve(code)));
    expect(await ask(s, '/slow')).toBe(200); // 800 ms with a stream open: not idle
    expect(await ask(s, '/')).toBe(200);
    const bound = new Promise((_, reject) => setTimeout(() => reject(new Error('the idle session stayed open')), 5000));
    expect(await Promise.race([goaway, bound])).toBe(h2.NGHTTP2_NO_ERROR);
    await Promise.race([closed, bound]);
  });
});

describe('h2c limits the same as HTTP/1.1, and the ones HTTP/2 adds', () => {
  it('a 60 KB header list is refused (431 or a reset) and never reaches the application; 10 KB is served', async () => {
    const { served, seen } = await serveCounting();
    const s = session(served.url);
    const big = { 'x-big': 'a'.repeat(60 * 1024) };
    // The first request goes out before the client has read the server's SETTINGS; the second after.
    const first = await ask(s, '/', big);
    const second = await ask(s, '/', big);
    expect(first).toBe(431);
    expect([431, `reset ${h2.NGHTTP2_ENHANCE_YOUR_CALM}`]).toContain(second);
    expect(seen.entered).toBe(0);
    expect(await ask(session(served.url), '/', { 'x-mid': 'a'.repeat(10 * 1024) })).toBe(200);
  });

  it(`at most ${MAX_CONCURRENT_STREAMS} streams of a session run at once; the rest wait their turn`, async () => {
    const { served, seen, release } = await serveCounting();
    const s = session(served.url);
    await once(s, 'remoteSettings');
    expect(s.remoteSettings.maxConcurrentStreams).toBe(MAX_CONCURRENT_STREAMS);
    const all = Array.from({ length: MAX_CONCURRENT_STREAMS + 40 }, () => ask(s, '/hold'));
    await waitFor(() => seen.entered >= MAX_CONCURRENT_STREAMS, 5000, 'the first streams to run');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.entered).toBe(MAX_CONCURRENT_STREAMS);
    release.open();
    expect(new Set(await Promise.all(all))).toEqual(new Set([200]));
  });

  it('rapid reset from node:http2: 900 streams opened and cancelled at once do not all run; the session gets ENHANCE_YOUR_CALM', async () => {
    const { served, seen } = await serveCounting();
    const s = session(served.url);
    await once(s, 'connect');
    const goaway = new Promise<number>((resolve) => s.once('goaway', (code: number) => resolve(code)));
    for (let i = 0; i < 900; i++) {
      const stream = s.request({ ':path': '/hold' });
      stream.on('error', () => undefined);
      stream.close(h2.NGHTTP2_CANCEL);
    }
    const bound = new Promise((_, reject) => setTimeout(() => reject(new Error('no GOAWAY')), 5000));
    expect(await Promise.race([goaway, bound])).toBe(h2.NGHTTP2_ENHANCE_YOUR_CALM);
    expect(seen.entered).toBeLessThanOrEqual(RESET_BURST);
    // The server stays up for everyone else.
    expect(await ask(session(served.url), '/')).toBe(200);
  });

  for (const when of ['with the preface', 'after the handshake'] as const) {
    it(`rapid reset in raw frames ${when}: about the reset burst runs, then GOAWAY ENHANCE_YOUR_CALM`, async () => {
      const { served, seen } = await serveCounting();
      const socket = rawSocket(served);
      const received: Buffer[] = [];
      socket.on('data', (d: Buffer) => received.push(d));
      await once(socket, 'connect');
      const flood = Buffer.concat(Array.from({ length: 900 }, (_, i) => [getRequest(2 * i + 1, '/hold'), rstStream(2 * i + 1, h2.NGHTTP2_CANCEL)]).flat());
      if (when === 'with the preface') socket.write(Buffer.concat([PREFACE, settings(), flood]));
      else {
        socket.write(Buffer.concat([PREFACE, settings()]));
        await waitFor(() => received.length > 0, 5000, "the server's SETTINGS");
        socket.write(flood);
      }
      await closedWithin(socket, 5000);
      expect(goawayCode(Buffer.concat(received))).toBe(h2.NGHTTP2_ENHANCE_YOUR_CALM);
      // The bucket refills while the flood is parsed: a second's worth at most, on a slow machine.
      expect(seen.entered).toBeLessThanOrEqual(RESET_BURST + RESET_RATE);
    });
  }

  it('a client that cancels all it has in flight keeps its session', async () => {
    const { served, seen } = await serveCounting();
    const s = session(served.url);
    const streams = Array.from({ length: MAX_CONCURRENT_STREAMS }, () => {
      const stream = s.request({ ':path': '/hold' });
      stream.on('error', () => undefined);
      stream.end();
      return stream;
    });
    await waitFor(() => seen.entered === MAX_CONCURRENT_STREAMS, 5000, 'every stream to run');
    for (const stream of streams) stream.close(h2.NGHTTP2_CANCEL);
    expect(await ask(s, '/')).toBe(200);
    expect(s.destroyed).toBe(false);
  });
});
