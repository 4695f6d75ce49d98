import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { seededRandom } from '../../../src/core/random.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'inmesh-access-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `access-${++files}.log`);

type Line = Record<string, unknown>;

function linesOf(path: string): Line[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

/** The orders workload: Express through mesh.serve. */
async function ordersWorkload(accessLog: unknown): Promise<{ mesh: Mesh; address: string }> {
  const mesh = open.add(await createMesh({ service: 'orders', watch: false, shutdown: false, config: { identity: { mode: 'none' }, telemetry: { accessLog } } }));
  const app = express();
  app.get('/api/orders/:id', (req, res) => void res.json({ id: req.params.id }));
  const server = await mesh.serve(app, { port: 0, host: '127.0.0.1' });
  return { mesh, address: `127.0.0.1:${server.port}` };
}

function checkout(endpoints: readonly string[], accessLog: unknown, extra: Record<string, unknown> = {}): Promise<Mesh> {
  const orders = { endpoints, tls: 'none', routes: [{ name: 'get-order', match: { path: '/api/orders/*' } }], ...extra };
  return createMesh({ service: 'checkout', watch: false, shutdown: false, config: { identity: { mode: 'none' }, services: { orders }, telemetry: { accessLog } } });
}

async function call(mesh: Mesh, url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await mesh.request(url, { headers });
  await res.body.dump();
  return res.statusCode;
}

describe('access log', () => {
  it('writes one JSON line per request, outbound and inbound, with the listed headers only and no query string', async () => {
    const serverFile = newFile();
    const clientFile = newFile();
    const { mesh: server, address } = await ordersWorkload({ path: serverFile, headers: ['x-request-id'] });
    const client = await checkout([address], { path: clientFile, headers: ['x-request-id'] });
    await client.ready();
    const sent = { 'x-request-id': 'req-42', authorization: 'Bearer sekrit-token' };
    expect(await call(client, 'http://orders/api/orders/42?token=hidden-query', sent)).toBe(200);
    await client.close();
    await server.close();

    const [out, ...moreOut] = linesOf(clientFile);
    expect(moreOut).toEqual([]);
    expect(out).toMatchObject({
      level: 30,
      pid: process.pid,
      msg: 'outbound request',
      direction: 'outbound',
      service: 'checkout',
      peer_service: 'orders',
      route: 'get-order',
      method: 'GET',
      path: '/api/orders/42',
      status: 200,
      attempts: 1,
      endpoint: address,
      request_headers: { 'x-request-id': 'req-42' },
    });
    expect(typeof out!.hostname).toBe('string');
    expect(Math.abs((out!.time as number) - Date.now())).toBeLessThan(60_000);
    expect(out!.duration_ms).toBeGreaterThan(0);
    expect(out!.error).toBeUndefined();

    const [inb, ...moreIn] = linesOf(serverFile);
    expect(moreIn).toEqual([]);
    expect(inb).toMatchObject({
      level: 30,
      msg: 'inbound request',
      direction: 'inbound',
      service: 'orders',
      route: '/api/orders/:id',
      method: 'GET',
      path: '/api/orders/42',
      status: 200,
      request_headers: { 'x-request-id': 'req-42' },
    });
    expect(inb!.duration_ms).toBeGreaterThanOrEqual(0);
    for (const text of [readFileSync(clientFile, 'utf8'), readFileSync(serverFile, 'utf8')]) {
      expect(text).not.toContain('sekrit');
      expect(text).not.toContain('hidden-query');
      expect(text).not.toContain('authorization');
    }
  });

  it('logs authorization when the config lists it', async () => {
    const file = newFile();
    const target = open.add(await startHttpServer((_req, res) => res.end('ok')));
    const client = await checkout([target.address], { path: file, headers: ['authorization'] });
    await call(client, 'http://orders/api/orders/1', { authorization: 'Bearer listed' });
    await client.close();
    expect(linesOf(file)[0]!.request_headers).toEqual({ authorization: 'Bearer listed' });
  });

  it('shows the attempts of a retried call', async () => {
    const file = newFile();
    let hits = 0;
    const flaky = open.add(await startHttpServer((_req, res) => res.writeHead(++hits === 1 ? 503 : 200).end()));
    const client = await checkout([flaky.address], { path: file }, { retries: { attempts: 3, on: [503], budget: 1 } });
    expect(await call(client, 'http://orders/api/orders/1')).toBe(200);
    await client.close();
    expect(hits).toBe(2);
    expect(linesOf(file)).toMatchObject([{ direction: 'outbound', status: 200, attempts: 2 }]);
  });

  it('logs a refused inbound request with its error code', async () => {
    const file = newFile();
    const { mesh: server, address } = await ordersWorkload({ path: file, outbound: false });
    const res = await fetch(`http://${address}/api/orders/7?x=1`, { headers: { 'inmesh-deadline-ms': 'soon' } });
    expect(res.status).toBe(400);
    await res.text();
    // Lines are written in batches, at the next turn of the event loop.
    await waitFor(() => linesOf(file).length === 1, 5000, 'the inbound line');
    await server.close();
    expect(linesOf(file)).toMatchObject([{ direction: 'inbound', status: 400, error: 'MESH_ERR_BAD_REQUEST', path: '/api/orders/7' }]);
  });

  it('samples: none at 0, all at 1, about half at 0.5 with a seeded random', async () => {
    const target = open.add(await startHttpServer((_req, res) => res.end('ok')));
    const counts: number[] = [];
    for (const sampleRatio of [0, 1, 0.5]) {
      const file = newFile();
      const orders = { endpoints: [target.address], tls: 'none' };
      const client = await createMesh({
        service: 'checkout',
        watch: false,
        shutdown: false,
        random: seededRandom(7),
        config: { identity: { mode: 'none' }, services: { orders }, telemetry: { accessLog: { path: file, sampleRatio } } },
      });
      for (let i = 0; i < 200; i++) await call(client, `http://orders/${i}`);
      await client.close();
      counts.push(linesOf(file).length);
    }
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBe(200);
    expect(counts[2]).toBeGreaterThan(60);
    expect(counts[2]).toBeLessThan(140);
  });

  it('follows reloads: on, a new sample ratio, off', async () => {
    const file = newFile();
    const target = open.add(await startHttpServer((_req, res) => res.end('ok')));
    const config = (accessLog: unknown) => ({ identity: { mode: 'none' }, services: { orders: { endpoints: [target.address], tls: 'none' } }, telemetry: { accessLog } });
    const client = open.add(await createMesh({ service: 'checkout', watch: false, shutdown: false, config: config(undefined) }));
    await call(client, 'http://orders/before');
    await client.reload(config({ path: file }));
    await call(client, 'http://orders/on');
    await client.reload(config({ path: file, sampleRatio: 0 }));
    await call(client, 'http://orders/ratio-zero');
    await client.reload(config({ path: file, sampleRatio: 1 }));
    await call(client, 'http://orders/ratio-one');
    await client.reload(config(false));
    await call(client, 'http://orders/off');
    await client.close();
    expect(linesOf(file).map((l) => l.path)).toEqual(['/on', '/ratio-one']);
  });

  it('is off by default: nothing is written', async () => {
    const write = vi.spyOn(process.stdout, 'write');
    try {
      const { mesh: server, address } = await ordersWorkload(undefined);
      const client = await checkout([address], undefined);
      expect(await call(client, 'http://orders/api/orders/1')).toBe(200);
      await client.close();
      await server.close();
      const written = write.mock.calls.map((c) => String(c[0])).join('');
      expect(written).not.toContain('"direction"');
    } finally {
      write.mockRestore();
    }
  });

  it('logs a write error once and never fails a call', async () => {
    const target = open.add(await startHttpServer((_req, res) => res.end('ok')));
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const orders = { endpoints: [target.address], tls: 'none' };
    const client = await createMesh({
      service: 'checkout',
      watch: false,
      shutdown: false,
      logger: log,
      config: { identity: { mode: 'none' }, services: { orders }, telemetry: { accessLog: { path: join(dir, 'no-such-dir', 'access.log') } } },
    });
    for (let i = 0; i < 5; i++) {
      expect(await call(client, `http://orders/${i}`)).toBe(200);
      await new Promise((r) => setImmediate(r));
    }
    await client.close();
    expect(warnings.filter((w) => w.startsWith('access log'))).toHaveLength(1);
  });
});
