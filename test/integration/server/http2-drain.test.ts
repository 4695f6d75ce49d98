import { afterEach, describe, expect, it } from 'vitest';
import { connect as h2connect, type ClientHttp2Session, type Http2ServerRequest } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { Mesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { FRAME, getRequest, goaway, parseFrames, PREFACE, settings } from './h2-frames.js';
import { gate, serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
const sockets: Array<Socket | ClientHttp2Session> = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const m of meshes.splice(0)) await m.close();
});

describe('HTTP/2 drain', () => {
  it('GOAWAY names the last stream processed: that one completes, streams opened after it never run', async () => {
    const server = await serverMesh({ inbound: { drainTimeout: '5s' } });
    meshes.push(server);
    const release = gate();
    const entered: string[] = [];
    const served = await server.serve(async (req, res) => {
      entered.push(req.url ?? '');
      if (req.url === '/first') await release.wait();
      res.end(`done ${req.url}`);
    });
    const socket = netConnect(served.port, served.host);
    sockets.push(socket);
    socket.on('error', () => undefined);
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    await once(socket, 'connect');
    socket.write(Buffer.concat([PREFACE, settings(), getRequest(1, '/first')]));
    await waitFor(() => entered.length === 1, 5000, 'the first stream to run');

    const closing = server.close();
    await waitFor(() => goaway(Buffer.concat(received)) !== undefined, 5000, 'a GOAWAY');
    expect(goaway(Buffer.concat(received))).toEqual({ lastStreamId: 1, code: 0 });
    // Sent before this client read the GOAWAY: above the last stream id, so it may go elsewhere.
    socket.write(getRequest(3, '/second'));
    release.open();
    await closing;

    const frames = parseFrames(Buffer.concat(received));
    const endOfFirst = frames.find((f) => f.streamId === 1 && f.flags & FRAME.END_STREAM);
    expect(endOfFirst).toBeDefined();
    expect(frames.filter((f) => f.streamId === 3)).toEqual([]);
    expect(entered).toEqual(['/first']);
  });

  it('under load on one session: every stream the server took completes; the others are above the GOAWAY last stream id', async () => {
    const server = await serverMesh({ inbound: { drainTimeout: '5s' } });
    meshes.push(server);
    const ran = new Set<number>();
    let n = 0;
    const served = await server.serve((req, res) => {
      ran.add((req as unknown as Http2ServerRequest).stream.id!);
      setTimeout(() => res.end('ok'), 1 + (n++ % 12));
    });
    const session = h2connect(served.url);
    sockets.push(session);
    session.on('error', () => undefined);
    let lastStreamId = Infinity;
    session.on('goaway', (_code: number, last: number) => (lastStreamId = last));
    const ok = new Set<number>();
    const failed: Array<{ id: number | undefined; error: string }> = [];
    const stopAt = Date.now() + 10_000;
    const one = () =>
      new Promise<void>((resolve) => {
        const stream = session.request({ ':path': '/' });
        let status = 0;
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('error', (e: Error & { code?: string }) => failed.push({ id: stream.id, error: e.code ?? e.message }));
        stream.on('close', () => {
          if (status === 200 && stream.rstCode === 0) ok.add(stream.id!);
          resolve();
        });
        stream.resume();
        stream.end();
      });
    const worker = async () => {
      for (let i = 0; i < 2000 && !session.closed && !session.destroyed && Date.now() < stopAt; i++) await one();
    };
    const workers = Array.from({ length: 8 }, worker);
    await waitFor(() => ran.size >= 200, 10_000, '200 streams run');
    await server.close();
    await Promise.all(workers);

    expect(lastStreamId).toBeLessThan(Infinity);
    expect([...ran].filter((id) => !ok.has(id))).toEqual([]); // not one stream the server took was lost
    expect([...ran].every((id) => id <= lastStreamId)).toBe(true);
    for (const f of failed) expect(f.id === undefined || f.id > lastStreamId).toBe(true);
  });
});
