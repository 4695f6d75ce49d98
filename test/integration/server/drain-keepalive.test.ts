import { afterEach, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import type { Mesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { gate, serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
const pools: Pool[] = [];
afterEach(async () => {
  for (const m of meshes.splice(0)) await m.close();
  for (const p of pools.splice(0)) await p.destroy();
});

interface Outcome {
  readonly status?: number;
  readonly connection?: string;
  readonly code?: string;
}

/** One GET; `blocking: false` lets undici pipeline further requests behind it before its head arrives. */
async function call(pool: Pool): Promise<Outcome> {
  try {
    const res = await pool.request({ path: '/', method: 'GET', blocking: false });
    await res.body.text();
    return { status: res.statusCode, connection: String(res.headers.connection) };
  } catch (err) {
    return { code: (err as { code?: string }).code ?? String(err) };
  }
}

describe('drain with keep-alive and pipelined clients', () => {
  it('requests sent on idle keep-alive connections as the drain begins are served, with connection: close', async () => {
    const server = await serverMesh({ inbound: { drainTimeout: '5s' } });
    meshes.push(server);
    const served = await server.serve((_req, res) => void setTimeout(() => res.end('ok'), 5));
    const pool = new Pool(served.url, { connections: 4 });
    pools.push(pool);
    await Promise.all(Array.from({ length: 4 }, () => call(pool))); // four connections, now idle
    const sent = Array.from({ length: 4 }, () => call(pool));
    const closing = server.close();
    expect(await Promise.all(sent)).toEqual(Array.from({ length: 4 }, () => ({ status: 200, connection: 'close' })));
    await closing;
  });

  it('pipelined requests already sent are all served; only the last on the connection says close', async () => {
    const server = await serverMesh({ inbound: { drainTimeout: '5s' } });
    meshes.push(server);
    const release = gate();
    let entered = 0;
    const served = await server.serve(async (_req, res) => {
      entered++;
      await release.wait();
      res.end('ok');
    });
    const pool = new Pool(served.url, { connections: 1, pipelining: 3 });
    pools.push(pool);
    const first = call(pool);
    await waitFor(() => entered === 1, 5000, 'the first request to run');
    const rest = [call(pool), call(pool)]; // pipelined behind the first on the one connection
    await waitFor(() => entered === 3, 5000, 'the pipelined requests to reach the handler');
    const closing = server.close();
    release.open();
    const outcomes = await Promise.all([first, ...rest]);
    expect(outcomes).toEqual([{ status: 200, connection: 'keep-alive' }, { status: 200, connection: 'keep-alive' }, { status: 200, connection: 'close' }]);
    await closing;
  });

  it('under load while close() runs: no request fails with "other side closed", only new connections are refused', async () => {
    const server = await serverMesh({ inbound: { drainTimeout: '5s' } });
    meshes.push(server);
    let accepted = 0;
    let n = 0;
    const served = await server.serve((_req, res) => {
      accepted++;
      setTimeout(() => res.end('ok'), n++ % 4);
    });
    const pool = new Pool(served.url, { connections: 16, pipelining: 2 });
    pools.push(pool);
    let ok = 0;
    const failures: string[] = [];
    let stop = false;
    const stopAt = Date.now() + 10_000;
    const worker = async () => {
      for (let i = 0; i < 2000 && !stop && Date.now() < stopAt; i++) {
        const o = await call(pool);
        if (o.status === 200) ok++;
        else {
          failures.push(o.code ?? `status ${o.status}`);
          await new Promise((r) => setTimeout(r, 2));
        }
      }
    };
    const workers = Array.from({ length: 24 }, worker);
    await waitFor(() => accepted >= 300, 10_000, '300 requests accepted');
    await server.close();
    stop = true;
    await Promise.all(workers);
    expect(failures.filter((f) => f !== 'ECONNREFUSED')).toEqual([]);
    expect(failures.length).toBeGreaterThan(0); // the load went on past the listener's close
    expect(ok).toBe(accepted);
  });
});
