import { describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Pool } from 'undici';
import { createMesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { gate, get } from './serve-helpers.js';

describe('shutdown on a signal', () => {
  it('drains, then exits with 0, once the workload serves (the signal and exit are injectable)', async () => {
    const exits: number[] = [];
    const mesh = await createMesh({
      service: 'orders',
      watch: false,
      config: { identity: { mode: 'none' } },
      shutdown: { signals: ['SIGUSR2'], exit: (code) => exits.push(code) },
    });
    expect(process.listenerCount('SIGUSR2')).toBe(0); // a client-only mesh leaves signals alone
    const release = gate();
    let entered = false;
    const served = await mesh.serve(async (_req, res) => {
      entered = true;
      await release.wait();
      res.end('done');
    });
    expect(process.listenerCount('SIGUSR2')).toBe(1);
    const inFlight = get(`${served.url}/`);
    await waitFor(() => entered, 5000, 'the request to start');
    process.emit('SIGUSR2', 'SIGUSR2');
    await waitFor(async () => (await get(`${served.url}/`).then(() => 'up', () => 'refused')) === 'refused', 5000, 'the listener to close');
    expect(exits).toEqual([]); // still draining
    release.open();
    expect((await inFlight).body).toBe('done');
    await waitFor(() => exits.length === 1, 5000, 'exit');
    expect(exits).toEqual([0]);
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('SIGTERM under load: a real process exits 0 and answers every request it accepted', async () => {
    const child = fork(new URL('./fixtures/sigterm-server.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    try {
      await waitFor(() => out.includes('\n'), 15_000, 'the child to listen');
      const port = Number(out.split('\n')[0]);
      const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16 });
      let ok = 0;
      let failed = 0;
      let stop = false;
      const stopAt = Date.now() + 15_000;
      const worker = async () => {
        for (let i = 0; i < 5000 && !stop && Date.now() < stopAt; i++) {
          try {
            const res = await pool.request({ path: '/', method: 'GET' });
            await res.body.text();
            if (res.statusCode === 200) ok++;
          } catch {
            failed++;
            await new Promise((r) => setTimeout(r, 2));
          }
        }
      };
      const workers = Array.from({ length: 16 }, worker);
      await waitFor(() => ok >= 300, 15_000, '300 answers');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      stop = true;
      await Promise.all(workers);
      await pool.close();
      const report = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as { accepted: number; code: number };
      expect(code).toBe(0);
      expect(report.accepted).toBe(ok); // zero failed among the requests the server accepted
      expect(failed).toBeGreaterThan(0); // and the load went on past the signal
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it("SIGTERM on a served Fastify app: the drain ends with fastify.close(), so its onClose hooks run", async () => {
    const child = fork(new URL('./fixtures/fastify-sigterm-server.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    try {
      await waitFor(() => out.includes('\n'), 15_000, 'the child to listen');
      const port = Number(out.split('\n')[0]);
      const res = await get(`http://127.0.0.1:${port}/`);
      expect(res.status).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(out.split('\n').slice(1)).toEqual(['onClose ran', 'exit 0', '']);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
