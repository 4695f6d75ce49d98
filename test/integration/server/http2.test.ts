import { afterEach, describe, expect, it } from 'vitest';
import { connect as h2connect, constants as h2, type ClientHttp2Session } from 'node:http2';
import express from 'express';
import Fastify from 'fastify';
import type { Mesh, MeshServer } from '../../../src/index.js';
import { get, serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const m of meshes.splice(0)) await m.close();
});

/** One request over h2c with prior knowledge (as gRPC and `curl --http2-prior-knowledge` do). */
function h2get(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, ...headers });
    let body = '';
    let head: Record<string, unknown> = {};
    stream.setEncoding('utf8');
    stream.on('response', (h) => (head = h));
    stream.on('data', (d: string) => (body += d));
    stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body }));
    stream.on('error', reject);
    stream.end();
  });
}

async function serveBoth(mesh: Mesh, app: Parameters<Mesh['serve']>[0]): Promise<{ served: MeshServer; session: ClientHttp2Session }> {
  const served = await mesh.serve(app);
  const session = h2connect(served.url);
  closers.push(() => session.destroy());
  return { served, session };
}

describe('HTTP/2 (h2c, prior knowledge) beside HTTP/1.1 on the same port', () => {
  it('a request listener answers both, with req.mesh over HTTP/2 too', async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    const { served, session } = await serveBoth(mesh, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ version: req.httpVersion, remaining: req.mesh.remaining() }));
    });
    const one = await get(`${served.url}/`);
    expect(JSON.parse(one.body)).toMatchObject({ version: '1.1' });
    const two = await h2get(session, '/', { 'inmesh-deadline-ms': '700' });
    const body = JSON.parse(two.body) as { version: string; remaining: number };
    expect([two.status, body.version]).toEqual([200, '2.0']);
    expect(body.remaining).toBeLessThanOrEqual(700);
    expect(String(two.headers['inmesh-load'])).toMatch(/^inflight=1;elu=/);
    const again = await h2get(session, '/');
    expect(again.status).toBe(200); // one session, several streams
  });

  it('Fastify 5 answers both', async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    const app = Fastify();
    closers.push(() => app.close());
    app.get('/hello', async (request) => ({ service: request.mesh.service, version: request.raw.httpVersion }));
    const { served, session } = await serveBoth(mesh, app);
    expect(served.protocols).toEqual(['http/1.1', 'h2c']);
    expect(JSON.parse((await get(`${served.url}/hello`)).body)).toEqual({ service: 'orders', version: '1.1' });
    const two = await h2get(session, '/hello');
    expect([two.status, JSON.parse(two.body)]).toEqual([200, { service: 'orders', version: '2.0' }]);
  });

  it('admission refusals over HTTP/2 carry the same headers', async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    const { session } = await serveBoth(mesh, (_req, res) => res.end('never'));
    const res = await h2get(session, '/', { 'inmesh-deadline-ms': 'x' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'MESH_ERR_BAD_REQUEST' } });
  });

  it('Express does not run on HTTP/2: an h2 client is told HTTP_1_1_REQUIRED, HTTP/1.1 works', async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    const app = express();
    app.get('/', (_req, res) => void res.send('express'));
    const { served, session } = await serveBoth(mesh, app);
    session.on('error', () => undefined); // the client reports the GOAWAY's error code as a session error too
    expect(served.protocols).toEqual(['http/1.1']);
    const code = await new Promise<number>((resolve) => session.once('goaway', (c: number) => resolve(c)));
    expect(code).toBe(h2.NGHTTP2_HTTP_1_1_REQUIRED);
    expect((await get(`${served.url}/`)).body).toBe('express');
  });
});
