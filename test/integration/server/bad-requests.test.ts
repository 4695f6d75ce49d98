import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import type { Mesh, MeshServer } from '../../../src/index.js';
import { errorCode, get, serverMesh } from './serve-helpers.js';

let mesh: Mesh;
let served: MeshServer;
beforeAll(async () => {
  mesh = await serverMesh();
  served = await mesh.serve((req, res) => {
    if (req.url === '/slow-huge') setTimeout(() => res.end('late'), 30);
    else if (req.url === '/echo') {
      let body = '';
      req.on('data', (d: Buffer) => (body += String(d)));
      req.on('error', () => undefined);
      req.on('end', () => res.end(body));
    } else res.end(`ok ${req.url}`);
  });
});
afterAll(() => mesh.close());

/** Writes raw bytes on a fresh connection and returns everything the server sent before closing it. */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(served.port, '127.0.0.1', () => socket.write(bytes));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
  });
}

function parse(answer: string): { status: number; headers: string; body: string } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body };
}

async function stillServes(): Promise<void> {
  const res = await get(`${served.url}/after`);
  expect([res.status, res.body]).toEqual([200, 'ok /after']);
}

describe('bad requests get a clear 4xx and the server stays up', () => {
  it('oversized headers: 431 with a MeshError code', async () => {
    const a = parse(await raw(`GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(a.status).toBe(431);
    expect(a.headers).toContain('connection: close');
    expect(errorCode(a.body)).toBe('MESH_ERR_BAD_REQUEST');
    expect(a.body).toMatch(/larger than 16384 bytes/);
    await stillServes();
  });

  it('a malformed deadline header: 400 with a MeshError code', async () => {
    const res = await get(`${served.url}/`, { headers: { 'inmesh-deadline-ms': '-1' } });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('MESH_ERR_BAD_REQUEST');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    await stillServes();
  });

  it('an unknown protocol: 400', async () => {
    const a = parse(await raw('HELLO WORLD\r\n\r\n'));
    expect(a.status).toBe(400);
    expect(errorCode(a.body)).toBe('MESH_ERR_BAD_REQUEST');
    expect(a.body).toMatch(/unknown protocol/);
    await stillServes();
  });

  it('an HTTP version it does not speak: 400', async () => {
    const a = parse(await raw('GET / HTTP/3.0\r\nhost: x\r\n\r\n'));
    expect(a.status).toBe(400);
    expect(a.body).toMatch(/unsupported protocol version/);
    await stillServes();
  });

  it('a TLS ClientHello on the plaintext port: refused, and the server stays up', async () => {
    const a = await raw(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]));
    expect(parse(a).status).toBe(400);
    await stillServes();
  });

  it('a connection that sends a preface split over several packets is still sorted out', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(served.port, '127.0.0.1', () => {
        socket.write('G');
        setImmediate(() => socket.write('ET /split HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
      });
      let out = '';
      socket.on('data', (d) => (out += String(d)));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    expect(parse(answer).status).toBe(200);
    expect(answer).toContain('ok /split');
  });
});

describe('a huge deadline from a caller', () => {
  it('is capped: no timer overflows (Node would fire it after 1 ms, over and over)', async () => {
    const overflows: string[] = [];
    const onWarning = (w: Error) => {
      if (w.name === 'TimeoutOverflowWarning') overflows.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const res = await get(`${served.url}/slow-huge`, { headers: { 'inmesh-deadline-ms': '999999999999999' } });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('warning', onWarning);
    }
    expect(overflows).toEqual([]);
  });
});

describe('what the HTTP/1.1 parser lets through', () => {
  it('a body that breaks its framing after a valid head: 400, not a reset with nothing', async () => {
    const a = parse(await raw('POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n'));
    expect(a.status).toBe(400);
    expect(a.headers).toContain('connection: close');
    expect(errorCode(a.body)).toBe('MESH_ERR_BAD_REQUEST');
    expect(a.body).toMatch(/request body is malformed/);
    expect(await mesh.metrics.getSingleMetricAsString('http_server_request_duration_seconds')).toMatch(/http_response_status_code="400"/);
    await stillServes();
  });

  it('GET / HTTP/2.0 (and HTTP/0.9) on the HTTP/1.1 parser: 505, the application never sees it', async () => {
    for (const version of ['2.0', '0.9']) {
      const a = parse(await raw(`GET /v HTTP/${version}\r\nhost: x\r\n\r\n`));
      expect(a.status, version).toBe(505);
      expect(errorCode(a.body)).toBe('MESH_ERR_BAD_REQUEST');
      expect(a.body).not.toContain('ok /v');
    }
    await stillServes();
  });

  it('more than 1000 header fields: 431 rather than dropping the rest (a deadline header among them)', async () => {
    let fields = '';
    for (let i = 0; i < 1010; i++) fields += `h${i}:1\r\n`;
    const a = parse(await raw(`GET / HTTP/1.1\r\nhost: x\r\n${fields}inmesh-deadline-ms: 1\r\n\r\n`));
    expect(a.status).toBe(431);
    // Node 20 keeps the fields and the guard refuses them; later parsers refuse an overlong field list themselves.
    expect(a.body).toMatch(/MESH_ERR_BAD_REQUEST.*(more than 1000 header fields|request headers larger than)/);
    let few = '';
    for (let i = 0; i < 990; i++) few += `h${i}:1\r\n`;
    expect(parse(await raw(`GET /many HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${few}\r\n`)).status).toBe(200);
    await stillServes();
  });
});
