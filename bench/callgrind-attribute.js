// Where a case's instructions per request go, by function, JavaScript included: the process under
// test runs under callgrind with V8's perf map (--perf-basic-prof), so the addresses of JIT code
// that callgrind reports are named from /tmp/perf-<pid>.map. Prints the functions by self
// instructions per request, and for `--callers REGEX` who calls the functions it matches.
// Use it beside bench/instructions.js: that one says how much, this one says where; comparing two
// kinds (`--kind undici` and `--kind mesh`) shows what the mesh adds call by call.
//
// Usage: node bench/callgrind-attribute.js [--kind mesh|undici] [--warm 20000] [--count 3000]
//        [--top 40] [--callers REGEX] [--dist DIR]
// (the client kinds of bench/pinned/client-child.js, against a node:http server outside valgrind)
import { fork, spawn, execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const KIND = flag('kind', 'mesh');
const WARM = Number(flag('warm', '20000'));
const COUNT = Number(flag('count', '3000'));
const TOP = Number(flag('top', '40'));
const CALLERS = flag('callers');
if (flag('dist')) process.env.INMESH_BENCH_DIST = flag('dist');

const SERVER_SCRIPT = new URL('./pinned/server-child.js', import.meta.url).pathname;
const CLIENT_SCRIPT = new URL('./pinned/client-child.js', import.meta.url).pathname;

/** JIT code ranges of a perf map, sorted, and a lookup by address. */
function perfMap(path) {
  const ranges = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [start, size, ...name] = l.split(' ');
      return [parseInt(start, 16), parseInt(size, 16), name.join(' ')];
    })
    .sort((a, b) => a[0] - b[0]);
  return (addr) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid][0] <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    const r = ranges[hi];
    return r && addr < r[0] + r[1] ? r[2] : undefined;
  };
}

/** Self instructions per function, and calls between functions, from one callgrind dump (name compression handled). */
function readDump(path, nameOf) {
  const names = new Map();
  const self = new Map();
  const calls = new Map();
  let fn;
  let cfn;
  let pendingCalls;
  const named = (id, rest) => {
    if (rest) names.set(id, rest);
    return nameOf(names.get(id));
  };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let m;
    if ((m = /^fn=\((\d+)\)(?: (.*))?$/.exec(line))) fn = named(m[1], m[2]);
    else if ((m = /^cfn=\((\d+)\)(?: (.*))?$/.exec(line))) cfn = named(m[1], m[2]);
    else if ((m = /^calls=(\d+)/.exec(line))) pendingCalls = Number(m[1]);
    else if (/^[+\-*]?\d|^0x/.test(line)) {
      const cost = Number(line.trim().split(/\s+/)[1] ?? 0);
      if (pendingCalls !== undefined) {
        const key = `${fn}  ->  ${cfn}`;
        const c = calls.get(key) ?? { n: 0, ir: 0, callee: cfn };
        c.n += pendingCalls;
        c.ir += cost;
        calls.set(key, c);
        pendingCalls = undefined;
      } else if (fn !== undefined) self.set(fn, (self.get(fn) ?? 0) + cost);
    }
  }
  return { self, calls };
}

const dir = mkdtempSync(join(tmpdir(), `inmesh-cga-${KIND}-`));
const server = fork(SERVER_SCRIPT, ['node'], { stdio: 'ignore' });
let client;
try {
  const { port } = await new Promise((r) => server.once('message', r));
  client = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${dir}/cg.%p`, process.execPath, '--perf-basic-prof', CLIENT_SCRIPT, KIND, String(port)], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  const first = await new Promise((resolve, reject) => {
    client.once('message', resolve);
    client.once('exit', (code) => reject(new Error(`the client exited (${code}) before it was ready`)));
  });
  if (first.error) throw new Error(first.error);
  const load = (count) =>
    new Promise((resolve, reject) => {
      client.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      client.send({ concurrency: 16, count, maxMs: 600_000 });
    });
  await load(WARM);
  await run('callgrind_control', ['-i', 'on', String(client.pid)]);
  await load(COUNT);
  await run('callgrind_control', ['-d', String(client.pid)]);
  await run('callgrind_control', ['-i', 'off', String(client.pid)]);
  const dump = readdirSync(dir).find((f) => /^cg\.\d+\.1$/.test(f));
  const lookup = perfMap(`/tmp/perf-${client.pid}.map`);
  const nameOf = (raw) => {
    const hex = /^0x([0-9a-f]+)/.exec(raw ?? '');
    const name = hex ? (lookup(parseInt(hex[1], 16)) ?? '(JIT code not in the map)') : (raw ?? '?');
    return name.replace(/file:\/\/\/\S*?\/dist\//, 'dist/').replace(/\S*\/node_modules\//, '');
  };
  const { self, calls } = readDump(join(dir, dump), nameOf);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${KIND}: ${Math.round(total / COUNT).toLocaleString('en-US')} instructions per request (${COUNT} requests after ${WARM} of warm-up; every thread, the compiler's included)`);
  console.log('\nself instructions per request, by function');
  for (const [name, ir] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${String(Math.round(ir / COUNT)).padStart(8)}  ${name.slice(0, 150)}`);
  if (CALLERS) {
    const re = new RegExp(CALLERS);
    console.log(`\ncallers of /${CALLERS}/: calls per request, inclusive instructions per request`);
    const rows = [...calls].filter(([, c]) => c.callee !== undefined && re.test(c.callee)).sort((a, b) => b[1].ir - a[1].ir);
    for (const [key, c] of rows.slice(0, TOP)) console.log(`${(c.n / COUNT).toFixed(2).padStart(7)} ${String(Math.round(c.ir / COUNT)).padStart(8)}  ${key.slice(0, 170)}`);
  }
  rmSync(`/tmp/perf-${client.pid}.map`, { force: true });
} finally {
  client?.kill('SIGTERM');
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
