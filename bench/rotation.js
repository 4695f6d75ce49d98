// Certificate rotation under load: a server workload and a client workload with dev-mode
// certificates of 10 s (each renewed at half of what is left, so about every 5 s), and a
// closed loop of calls over mTLS for a minute. Target: zero failed requests, and both sides
// renewed (counted by inmesh_cert_rotations_total) throughout.
// Usage: npm run bench:rotation [-- --seconds 60 --concurrency 16]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh } from '../dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const SECONDS = arg('--seconds', 60);
const CONCURRENCY = arg('--concurrency', 16);
const MAX_CALLS = 5_000_000;
const quiet = { debug() {}, info() {}, warn: (m, f) => console.error('warn', m, JSON.stringify(f)), error: (m, f) => console.error('error', m, JSON.stringify(f)) };

async function renewed(mesh) {
  const text = await mesh.metrics.getSingleMetricAsString('inmesh_cert_rotations_total');
  return { renewed: Number(/result="renewed"\} (\d+)/.exec(text)?.[1] ?? 0), failed: Number(/result="failed"\} (\d+)/.exec(text)?.[1] ?? 0) };
}

const base = mkdtempSync(join(tmpdir(), 'inmesh-bench-rotation-'));
const identity = { mode: 'dev', dir: join(base, '.inmesh'), certTtl: '10s' };
let server;
let client;
try {
  server = await createMesh({ service: 'orders', logger: quiet, watch: false, config: { identity, inbound: { mtls: 'strict' } } });
  const served = await server.serve((_req, res) => res.end('ok'));
  client = await createMesh({ service: 'checkout', logger: quiet, watch: false, config: { identity, services: { orders: { endpoints: [`127.0.0.1:${served.port}`] } } } });
  let ok = 0;
  let failed = 0;
  const errors = new Map();
  const until = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < until && ok + failed < MAX_CALLS) {
      try {
        const res = await client.request('http://orders/');
        await res.body.dump();
        if (res.statusCode === 200) ok++;
        else {
          failed++;
          errors.set(`status ${res.statusCode}`, (errors.get(`status ${res.statusCode}`) ?? 0) + 1);
        }
      } catch (err) {
        failed++;
        errors.set(err.code ?? err.message, (errors.get(err.code ?? err.message) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const s = await renewed(server);
  const c = await renewed(client);
  console.log(`rotation under load: ${SECONDS} s at concurrency ${CONCURRENCY}, certificates of 10 s renewed at half of what is left`);
  console.log(`  requests ok ${ok}, failed ${failed}${errors.size ? ` (${[...errors].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`);
  console.log(`  renewals: server ${s.renewed} (${s.failed} failed), client ${c.renewed} (${c.failed} failed)`);
  const met = failed === 0 && s.renewed >= Math.floor(SECONDS / 6) && c.renewed >= Math.floor(SECONDS / 6);
  console.log(`  target: zero failed requests with rotations every ~5 s on both sides: ${met ? 'met' : 'NOT met'}`);
  process.exitCode = met ? 0 : 1;
} finally {
  await client?.close();
  await server?.close();
  rmSync(base, { recursive: true, force: true });
}
