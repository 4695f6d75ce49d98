// Instructions per request, counted by valgrind's callgrind: the figure of the pinned benchmark
// (CPU per request) without its noise. CPU time on two shared cores moves by ±10–40% from run to
// run with the host; an instruction count is the same whatever else the machine is doing, so it
// can gate a change and compare builds across runs. It does not see the kernel (socket system
// calls cost the same to every case here: one read and one writev per request, strace -c) nor
// cache misses, so it is the mesh's own JavaScript (and V8's work for it), not the whole bill.
//
// The process under test runs under callgrind with instrumentation off; the load (outside
// valgrind) warms it up, then instrumentation goes on for two equal windows of requests, each
// dumped separately. Figures are the median window; the spread of the windows shows how settled
// they are (a major GC or a late JIT tier-up lands in one window).
// Cases: the server modes of bench/pinned/server-child.js driven by an undici Pool, and the
// client kinds of bench/pinned/client-child.js against a node:http server outside valgrind.
//
// Usage: npm run bench:instructions -- [--count 3000] [--warm 3000] [--connections 16]
//        [--windows 3] [--only server,client] [--dist DIR]
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'undici';

const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const COUNT = Number(flag('count', '3000'));
const WARM = Number(flag('warm', '3000'));
const CONNECTIONS = Number(flag('connections', '16'));
const WINDOWS = Number(flag('windows', '3'));
const ONLY = flag('only', 'server,client').split(',');
if (flag('dist')) process.env.INMESH_BENCH_DIST = flag('dist');
for (const [k, v] of [['count', COUNT], ['warm', WARM], ['connections', CONNECTIONS], ['windows', WINDOWS]]) {
  if (!Number.isInteger(v) || v < 1 || v > 1_000_000) {
    console.error(`--${k} must be a whole number from 1 to 1000000`);
    process.exit(2);
  }
}

const SERVER_SCRIPT = new URL('./pinned/server-child.js', import.meta.url).pathname;
const CLIENT_SCRIPT = new URL('./pinned/client-child.js', import.meta.url).pathname;
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

try {
  await run('valgrind', ['--version']);
} catch {
  console.error('this benchmark needs valgrind (Debian: apt-get install valgrind)');
  process.exit(2);
}

/** Starts `script mode` as an IPC child, under callgrind when `outDir` is given; resolves with its first message. */
async function startChild(script, childArgs, outDir) {
  const cmd = outDir ? 'valgrind' : process.execPath;
  const argv = outDir ? ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${outDir}/cg.%p`, process.execPath, script, ...childArgs] : [script, ...childArgs];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: process.env });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 20_000) stderr += d;
  });
  const first = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} ${childArgs.join(' ')} exited (${code}) before it was ready:\n${stderr.split('\n').filter((l) => !l.startsWith('==')).slice(-15).join('\n')}`)));
  });
  if (first.error) throw new Error(first.error);
  return { child, first };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  children.delete(child);
}

const control = (pid, ...cmd) => run('callgrind_control', [...cmd, String(pid)]);

/** The instructions of each dump in `dir`, in dump order (file names end in the dump's number). */
function dumpsOf(dir) {
  return readdirSync(dir)
    .filter((f) => /^cg\.\d+\.\d+$/.test(f)) // cg.<pid>.<dump>; cg.<pid> is the dump at exit
    .sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)))
    .map((f) => Number(/^totals: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'))?.[1] ?? NaN));
}

/** Warm-up, then WINDOWS measured windows; `load(n)` sends n requests to (or from) the process `pid`. */
async function measure(pid, dir, load) {
  await load(WARM);
  await control(pid, '-i', 'on');
  for (let w = 0; w < WINDOWS; w++) {
    await load(COUNT);
    await control(pid, '-d');
  }
  await control(pid, '-i', 'off');
  const perRequest = dumpsOf(dir).map((ir) => ir / COUNT);
  if (perRequest.length < WINDOWS) throw new Error(`callgrind wrote ${perRequest.length} dumps in ${dir}, expected ${WINDOWS}`);
  const sorted = [...perRequest].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)], min: sorted[0], max: sorted.at(-1) };
}

function poolLoad(port) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, keepAliveTimeout: 600_000 });
  const load = async (n) => {
    let started = 0;
    const worker = async () => {
      while (started < n) {
        started++;
        const r = await pool.request({ path: '/', method: 'GET' });
        await r.body.dump();
        if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  };
  return { load, close: () => pool.close() };
}

async function serverCase(mode) {
  const dir = mkdtempSync(join(tmpdir(), `inmesh-cg-${mode}-`));
  const { child, first } = await startChild(SERVER_SCRIPT, [mode], dir);
  const { load, close } = poolLoad(first.port);
  try {
    return await measure(child.pid, dir, load);
  } finally {
    await close();
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function clientCase(kind, serverPort) {
  const dir = mkdtempSync(join(tmpdir(), `inmesh-cg-${kind}-`));
  const { child } = await startChild(CLIENT_SCRIPT, [kind, String(serverPort)], dir);
  const load = (count) =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      child.send({ concurrency: CONNECTIONS, count, maxMs: 600_000 });
    });
  try {
    return await measure(child.pid, dir, load);
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
function printRows(title, rows) {
  console.log(`\n${title}`);
  console.log(`${'case'.padEnd(38)}${'Ir/request'.padStart(12)}${'×'.padStart(8)}${'Δ Ir'.padStart(10)}${'windows min–max'.padStart(20)}`);
  const base = rows[0][1].median;
  for (const [name, r] of rows) {
    console.log(`${name.padEnd(38)}${fmt(r.median).padStart(12)}${`${(r.median / base).toFixed(3)}×`.padStart(8)}${fmt(r.median - base).padStart(10)}${`${fmt(r.min)}–${fmt(r.max)}`.padStart(20)}`);
  }
}

const started = performance.now();
console.log(`node ${process.version}; library: ${process.env.INMESH_BENCH_DIST ?? 'dist/ of this checkout'}; ${WARM} warm-up requests, then ${WINDOWS} windows of ${COUNT}, ${CONNECTIONS} connections; instructions counted by callgrind in the process under test only`);

if (ONLY.includes('server')) {
  const rows = [];
  for (const [name, mode] of [
    ['node:http', 'node'],
    ['mesh.serve', 'mesh'],
    ['plain Fastify', 'fastify'],
    ['Fastify via mesh.serve', 'fastify-mesh'],
    ['mesh.serve + a destination (Fastify)', 'fastify-dest'],
  ]) {
    rows.push([name, await serverCase(mode)]);
  }
  printRows('server, called by undici (× against node:http; the Fastify rows against plain Fastify as well below)', rows);
  const fastify = rows[2][1].median;
  console.log(`Fastify via mesh.serve against plain Fastify: ${(rows[3][1].median / fastify).toFixed(3)}×; with a destination: ${(rows[4][1].median / fastify).toFixed(3)}×`);
}

if (ONLY.includes('client')) {
  const { child: server, first } = await startChild(SERVER_SCRIPT, ['node']);
  try {
    const rows = [];
    for (const [name, kind] of [
      ['undici Pool.request', 'undici'],
      ['mesh.request', 'mesh'],
    ]) {
      rows.push([name, await clientCase(kind, first.port)]);
    }
    printRows('client, calling node:http (× against raw undici)', rows);
  } finally {
    await stop(server);
  }
}
console.log(`\ntook ${Math.round((performance.now() - started) / 1000)} s`);
