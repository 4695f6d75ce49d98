// Client overhead: the same loopback server through raw undici and through the mesh, in one
// run, at concurrency 1, 16 and 64. Prints requests/s, p50 and p99 for both and the ratios.
// Usage: npm run bench:client [-- --count 20000 --rounds 3]
import { Pool, Agent, fetch as undiciFetch } from 'undici';
import { createMesh } from '../dist/index.js';
import { startServerProcess, load, fmt } from './bench-util.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const COUNT = arg('--count', 20000);
const ROUNDS = arg('--rounds', 3);
const MAX_MS = 15000;

const server = await startServerProcess();
const origin = `http://127.0.0.1:${server.port}`;
const pool = new Pool(origin, { connections: 64 });
const agent = new Agent({ connections: 64 });
const mesh = await createMesh({
  service: 'bench',
  watch: false,
  config: { identity: { mode: 'none' }, services: { hello: { endpoints: [`127.0.0.1:${server.port}`], tls: 'none', connections: 64 } } },
});
await mesh.ready();

const cases = {
  'undici Pool.request': async () => {
    const r = await pool.request({ path: '/', method: 'GET' });
    await r.body.dump();
  },
  'mesh.request': async () => {
    const r = await mesh.request('http://hello/');
    await r.body.dump();
  },
  'undici fetch': async () => {
    const r = await undiciFetch(`${origin}/`, { dispatcher: agent });
    await r.arrayBuffer();
  },
  'mesh.fetch': async () => {
    const r = await mesh.fetch('http://hello/');
    await r.arrayBuffer();
  },
};

// Warm up connections and JIT.
for (const c of Object.values(cases)) await load(c, { concurrency: 16, count: 2000, maxMs: MAX_MS });

const pairs = [
  ['undici Pool.request', 'mesh.request'],
  ['undici fetch', 'mesh.fetch'],
];
console.log(`client overhead: ${COUNT} calls per case, best of ${ROUNDS} alternating rounds, server in its own process`);
console.log(`${'case'.padEnd(22)} ${'conc'.padStart(5)} ${'req/s'.padStart(8)} ${'p50 µs'.padStart(8)} ${'p99 µs'.padStart(8)}   ratio(rps)  added p50 µs`);
for (const [base, subject] of pairs) {
  for (const concurrency of [1, 16, 64]) {
    const best = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of r % 2 ? [subject, base] : [base, subject]) {
        const res = await load(cases[name], { concurrency, count: concurrency === 1 ? COUNT / 4 : COUNT, maxMs: MAX_MS });
        const prev = best[name];
        if (!prev || res.rps > prev.rps) best[name] = { ...res, p50: Math.min(res.p50, prev?.p50 ?? Infinity) };
      }
    }
    const b = best[base];
    const s = best[subject];
    console.log(`${base.padEnd(22)} ${String(concurrency).padStart(5)} ${fmt(b.rps)} ${fmt(b.p50, 1)} ${fmt(b.p99, 1)}`);
    console.log(`${subject.padEnd(22)} ${String(concurrency).padStart(5)} ${fmt(s.rps)} ${fmt(s.p50, 1)} ${fmt(s.p99, 1)}   ${(s.rps / b.rps).toFixed(3).padStart(8)}×  ${fmt(s.p50 - b.p50, 1)}`);
  }
}

await mesh.close();
await pool.close();
await agent.close();
server.stop();
