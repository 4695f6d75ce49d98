import { afterEach, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Client, Pool } from 'undici';
import type { Mesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { errorCode, gate, get, serverMesh, type Answer } from './serve-helpers.js';

const meshes: Mesh[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const m of meshes.splice(0)) await m.close();
  for (const c of closers.splice(0)) await c();
});

describe('admission control on mesh.serve', () => {
  it('a burst of 10 against maxConcurrent 3 and maxQueue 2: exactly 5 shed with 503, the other 5 served', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const release = gate();
    let entered = 0;
    const served = await server.serve(
      async (_req, res) => {
        entered++;
        await release.wait();
        res.end('ok');
      },
      { maxConcurrent: 3, maxQueue: 2 },
    );
    const pool = new Pool(served.url, { connections: 10 });
    closers.push(() => pool.close());
    const answers: Answer[] = [];
    const burst = Array.from({ length: 10 }, () => get(`${served.url}/`, { dispatcher: pool, headers: { 'inmesh-caller': '1' } }).then((a) => answers.push(a)));
    // The shed ones answer at once; the rest wait at the gate (3 running, 2 queued).
    await waitFor(() => answers.length === 5 && entered === 3, 5000, '5 refusals and 3 running');
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
    for (const a of answers) {
      expect(a.headers['retry-after']).toBe('1');
      expect(a.headers['inmesh-rejected']).toBe('1');
      expect(a.headers['inmesh-load']).toMatch(/^inflight=5;elu=/); // 3 running + 2 queued
      expect(errorCode(a.body)).toBe('MESH_ERR_OVERLOADED');
    }
    release.open();
    await Promise.all(burst);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    expect(entered).toBe(5);
    expect(await server.metrics.getSingleMetricAsString('inmesh_admission_rejected_total')).toMatch(/reason="concurrency"\} 5/);
  });

  it('the same through the Fastify plugin: refusals go out through Fastify', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const release = gate();
    let entered = 0;
    const app = Fastify();
    closers.push(() => app.close());
    app.get('/', async () => {
      entered++;
      await release.wait();
      return { ok: true };
    });
    let refusedSeenByFastify = 0;
    app.addHook('onResponse', async (_req, reply) => {
      if (reply.statusCode === 503) refusedSeenByFastify++;
    });
    const served = await server.serve(app, { maxConcurrent: 2, maxQueue: 0 });
    const pool = new Pool(served.url, { connections: 6 });
    closers.push(() => pool.close());
    const answers: Answer[] = [];
    const burst = Array.from({ length: 6 }, () => get(`${served.url}/`, { dispatcher: pool }).then((a) => answers.push(a)));
    await waitFor(() => answers.length === 4 && entered === 2, 5000, '4 refusals and 2 running');
    expect(answers.map((a) => [a.status, a.headers['inmesh-rejected'], errorCode(a.body)])).toEqual(Array(4).fill([503, '1', 'MESH_ERR_OVERLOADED']));
    release.open();
    await Promise.all(burst);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    expect(refusedSeenByFastify).toBe(4);
  });

  it('rate limits each caller on its own (perCaller): 3 of 5 per caller pass, the rest get 429', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const served = await server.serve((_req, res) => res.end('ok'), { rateLimit: { rps: 0.1, burst: 3, perCaller: true } });
    // Two callers: over plaintext a caller is its address (over mTLS, its SPIFFE ID).
    const callers = ['127.0.0.2', '127.0.0.3'].map((localAddress) => new Client(served.url, { localAddress }));
    closers.push(() => Promise.all(callers.map((c) => c.close())));
    const byCaller: Answer[][] = [[], []];
    for (let i = 0; i < 5; i++) {
      for (const [c, client] of callers.entries()) byCaller[c]!.push(await get(`${served.url}/`, { dispatcher: client }));
    }
    for (const answers of byCaller) {
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
      for (const a of answers.slice(3)) {
        expect(a.headers['inmesh-rejected']).toBe('1');
        expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(errorCode(a.body)).toBe('MESH_ERR_RATE_LIMITED');
      }
    }
    expect(await server.metrics.getSingleMetricAsString('inmesh_admission_rejected_total')).toMatch(/reason="caller_rate_limit"\} 4/);
  });

  it('rate limits the service as a whole without perCaller, whoever calls', async () => {
    const server = await serverMesh({ inbound: { rateLimit: { rps: 0.1, burst: 3 } } });
    meshes.push(server);
    const served = await server.serve((_req, res) => res.end('ok'));
    const callers = ['127.0.0.2', '127.0.0.3'].map((localAddress) => new Client(served.url, { localAddress }));
    closers.push(() => Promise.all(callers.map((c) => c.close())));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) for (const client of callers) statuses.push((await get(`${served.url}/`, { dispatcher: client })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('answers 504 to a request whose deadline passes while it waits in the queue', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const release = gate();
    const served = await server.serve(
      async (_req, res) => {
        await release.wait();
        res.end('ok');
      },
      { maxConcurrent: 1, maxQueue: 5 },
    );
    const pool = new Pool(served.url, { connections: 2 });
    closers.push(() => pool.close());
    const first = get(`${served.url}/`, { dispatcher: pool });
    const late = await get(`${served.url}/`, { dispatcher: pool, headers: { 'inmesh-deadline-ms': '50' } });
    expect(late.status).toBe(504);
    expect(errorCode(late.body)).toBe('MESH_ERR_DEADLINE_EXCEEDED');
    release.open();
    expect((await first).status).toBe(200);
  });
});

describe('admission limits follow config reloads', () => {
  it('a reload that sets maxConcurrent applies to the running server, without a restart', async () => {
    const config = { identity: { mode: 'none' }, admin: { port: 0 } };
    const server = await serverMesh(config);
    meshes.push(server);
    const release = gate();
    const served = await server.serve(async (_req, res) => {
      await release.wait();
      res.end('ok');
    });
    const pool = new Pool(served.url, { connections: 4 });
    closers.push(() => pool.close());
    await server.reload({ ...config, inbound: { maxConcurrent: 1 } });
    const answers: Answer[] = [];
    const burst = Array.from({ length: 4 }, () => get(`${served.url}/`, { dispatcher: pool }).then((a) => answers.push(a)));
    await waitFor(() => answers.length === 3, 5000, '3 refusals');
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    release.open();
    await Promise.all(burst);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 503, 503, 503]);
  });
});
