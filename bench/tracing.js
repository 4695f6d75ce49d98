// What tracing costs, measured as bench/sidecar.js measures the mesh: client and server in
// separate processes pinned to separate cores, repetitions interleaved, CPU µs per request of
// each process from /proc, throughput and p50/p99. Every case is mesh.request → mesh.serve; what
// changes is the tracer provider both sides are given (trace-provider.js: NodeTracerProvider,
// parent-based ratio sampler, batch processor to an exporter that discards), against the same
// pair with no provider in the same run:
//   telemetry off     no provider (metrics on, as always; @opentelemetry/api installed, nothing registered)
//   ratio 0           a provider sampling nothing: spans are started but not recorded, traceparent goes out unsampled
//   ratio 1 (batch)   every call, attempt and served request recorded and exported in batches
//   + context manager the same two with the SDK registered globally too (NodeTracerProvider.register,
//                     as an application with the SDK does and as mesh.yaml's exporter does), so the
//                     AsyncLocalStorage context manager runs; --no-context-manager leaves them out
// The issue's targets (same-run ratios, c16 and c64): ratio 0 ≥ 0.95× the throughput of telemetry
// off; ratio 1 ≥ 0.80×. The context-manager rows are shown beside them, not judged.
//
// Usage: npm run bench:tracing -- [--reps 3] [--count 50000] [--seconds 5] [--quick]
//        [--no-context-manager] [--json out.json] [--dist DIR] [--cpu-prof DIR]
import { writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOptions } from './pinned/options.js';
import { describeMachine } from './pinned/machine.js';
import { pinning, startNodeChild, ask, stopAll, stopChildrenOnExit, spawnedPids, isStopping, profileChildrenInto, CLIENT_CORE, SERVER_CORE } from './pinned/processes.js';
import { hasProcfs, clockTicks } from './pinned/proc-stat.js';
import { DISTURBANCE_THRESHOLD, disturbedRows } from './pinned/disturbance.js';
import { measureWindow } from './pinned/window.js';
import { runInterleaved } from './pinned/interleave.js';
import { median, ratio } from './pinned/summary.js';
import { printTable } from './pinned/report.js';

const USAGE = 'usage: node bench/tracing.js [--reps N] [--count N] [--seconds S] [--quick] [--no-context-manager] [--json FILE] [--dist DIR] [--cpu-prof DIR]';
const CONCURRENCIES = [1, 16, 64];
const CASES = [
  { id: 'off', label: 'mesh → mesh.serve (telemetry off)', kind: 'mesh', server: 'mesh' },
  { id: 'ratio0', label: 'ratio 0', kind: 'mesh-trace0', server: 'mesh-trace0' },
  { id: 'ratio1', label: 'ratio 1 (batch)', kind: 'mesh-trace1', server: 'mesh-trace1' },
  { id: 'ratio0Cm', label: 'ratio 0 + context manager', kind: 'mesh-trace0-als', server: 'mesh-trace0-als', contextManager: true },
  { id: 'ratio1Cm', label: 'ratio 1 (batch) + context manager', kind: 'mesh-trace1-als', server: 'mesh-trace1-als', contextManager: true },
];
const TARGETS = [
  { id: 'ratio0', what: 'ratio 0 (metrics on) vs telemetry off, throughput', goal: 0.95 },
  { id: 'ratio1', what: 'ratio 1 (batch) vs telemetry off, throughput', goal: 0.8 },
];

let opts;
let withContextManager = true;
try {
  const argv = process.argv.slice(2);
  for (const a of argv) if (['--only', '--ab', '--fastify-tool'].includes(a)) throw new Error(`${a} is an option of bench/sidecar.js, not of this benchmark\n${USAGE}`);
  if (argv.includes('--help') || argv.includes('-h')) throw new Error(USAGE);
  withContextManager = !argv.includes('--no-context-manager');
  opts = parseOptions(argv.filter((a) => a !== '--no-context-manager'));
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
if (!hasProcfs()) {
  console.error('this benchmark reads CPU time from /proc (Linux only)');
  process.exit(2);
}
if (opts.dist) process.env.INMESH_BENCH_DIST = opts.dist;
if (opts.cpuProf) {
  mkdirSync(opts.cpuProf, { recursive: true });
  profileChildrenInto(resolve(opts.cpuProf));
}
stopChildrenOnExit();

const CLIENT_SCRIPT = new URL('./pinned/client-child.js', import.meta.url).pathname;
const SERVER_SCRIPT = new URL('./pinned/server-child.js', import.meta.url).pathname;
const started = performance.now();
const machine = describeMachine();
const cases = CASES.filter((c) => withContextManager || !c.contextManager);
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB; node ${machine.node}; kernel ${machine.kernel}; load average at start ${machine.loadavg.join(' ')}`);
console.log(`library: ${opts.dist ?? 'dist/ of this checkout'};${opts.cpuProf ? ` CPU profiles into ${opts.cpuProf} (they slow the children: figures are not comparable);` : ''} ${opts.reps} rep(s), ${opts.count} calls per window (a quarter at concurrency 1), each window at most ${opts.maxMs / 1000} s; CLK_TCK ${clockTicks()}`);
console.log('tracer provider: NodeTracerProvider, ParentBasedSampler(TraceIdRatioBasedSampler(r)), BatchSpanProcessor (SDK defaults) to an exporter that discards; client and server each their own, passed as createMesh({ tracerProvider })');
if (pinning.ok) console.log(`pinning: clients on core ${CLIENT_CORE}, servers on core ${SERVER_CORE} (taskset)`);
else console.log(`warning: not pinned (${pinning.why}): client and server share cores, figures measure their contention too`);
console.log(`a window is disturbed when processes other than the measured ones use more than ${100 * DISTURBANCE_THRESHOLD}% of a core during it (/proc/stat); figures are medians of the undisturbed repetitions, * when every repetition was disturbed`);

const results = { machine, options: { ...opts, contextManager: withContextManager }, pinned: pinning.ok, windows: [] };

const n0 = (v) => (Number.isFinite(v) ? v.toFixed(0) : '-');
const n1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const rx = (v) => (Number.isFinite(v) ? `${v.toFixed(3)}×` : '-');
const pc = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : '-');
const d1 = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)}` : '-');

async function main() {
  const running = [];
  for (const c of cases) {
    const server = await startNodeChild(SERVER_CORE, SERVER_SCRIPT, [c.server], { profile: `server-${c.id}` });
    const client = await startNodeChild(CLIENT_CORE, CLIENT_SCRIPT, [c.kind, String(server.info.port)], { profile: `client-${c.id}` });
    running.push({ ...c, child: client.child, server: { pid: server.child.pid, child: server.child } });
  }
  console.log('\nwarming up...');
  for (const c of running) await ask(c.child, { concurrency: 64, count: opts.warmup, maxMs: opts.maxMs }, opts.maxMs + 30000);
  console.log('measuring...');
  const measure = async (c, concurrency) => {
    const count = concurrency === 1 ? Math.max(1, Math.round(opts.count / 4)) : opts.count;
    const w = await measureWindow({ client: c.child.pid, server: c.server.pid }, () => ask(c.child, { concurrency, count, maxMs: opts.maxMs }, opts.maxMs + 30000));
    const n = w.result.n;
    if (w.result.spansExported !== undefined) c.clientSpans = w.result.spansExported;
    const rec = {
      n,
      rps: w.result.rps,
      p50: w.result.p50,
      p99: w.result.p99,
      clientUs: w.result.clientCpuUs / n,
      serverUs: w.cpuUs.server / n,
      clientBusy: w.result.clientCpuUs / (w.result.seconds * 1e6),
      serverBusy: w.cpuUs.server / (w.elapsedMs * 1000),
      othersShare: w.othersShare,
      stealShare: w.stealShare,
      disturbed: w.disturbed,
    };
    rec.totalUs = rec.clientUs + rec.serverUs;
    return rec;
  };
  const rows = await runInterleaved({ group: 'tracing', cases: running, points: CONCURRENCIES, reps: opts.reps, measure, windows: results.windows });
  results.rows = rows;
  // Whether the spans were there: ratio 1 records every call, ratio 0 none (the batch processor
  // exports every 5 s or 512 spans, so the last ones may still be queued).
  const spans = {};
  for (const c of running) {
    if (c.kind === 'mesh') continue;
    const s = await ask(c.server.child, { op: 'spans' }, 5000);
    spans[c.id] = { client: c.clientSpans, server: s.spans };
  }
  results.spans = spans;
  results.calls = Object.fromEntries(running.map((c) => [c.id, results.windows.filter((w) => w.case === c.id).reduce((a, w) => a + w.n, 0)]));
  return running;
}

function report(running) {
  const { rows } = results;
  const mark = (s) => (s.usedDisturbed ? '*' : '');
  const table = [];
  for (const conc of CONCURRENCIES) {
    const base = rows.off[conc];
    for (const c of running) {
      const s = rows[c.id][conc];
      table.push([
        `${c.label}${mark(s)}`, conc, n0(s.rps), rx(ratio(s.rps, base.rps)), n1(s.p50), d1(s.p50 - base.p50), n1(s.p99),
        n1(s.clientUs), n1(s.serverUs), n1(s.totalUs), rx(ratio(s.totalUs, base.totalUs)), rx(ratio(s.totalUsMin, base.totalUsMin)), pc(s.clientBusy), pc(s.serverBusy),
      ]);
    }
  }
  printTable(
    `mesh.request → mesh.serve with tracing, pinned (client core ${CLIENT_CORE}, server core ${SERVER_CORE}); median of the undisturbed of ${opts.reps} reps; × = against telemetry off at the same concurrency, same run; busy = share of a core`,
    ['case', 'conc', 'req/s', 'req/s ×', 'p50 µs', 'Δp50', 'p99 µs', 'client µs/req', 'server µs/req', 'total µs/req', 'CPU ×', 'lowest CPU ×', 'client busy', 'server busy'],
    table,
  );
  const spanRows = Object.entries(results.spans).map(([id, s]) => [CASES.find((c) => c.id === id).label, results.calls[id], s.client ?? '-', s.server ?? '-']);
  if (spanRows.length) printTable('spans given to the discarding exporter (each logical call: a client span and an attempt span; each served request: a server span)', ['case', 'calls measured', 'client spans', 'server spans'], spanRows);

  console.log('\ntargets (same-run ratios, c16 / c64)');
  results.targets = [];
  for (const t of TARGETS) {
    const values = [16, 64].map((c) => ratio(rows[t.id][c].rps, rows.off[c].rps));
    const cpu = [16, 64].map((c) => ratio(rows[t.id][c].totalUs, rows.off[c].totalUs));
    const met = values.every((v) => Number.isFinite(v) && v >= t.goal);
    results.targets.push({ ...t, values, cpu, met });
    console.log(`${met ? 'PASS' : 'FAIL'}  ${t.what}: ${values.map(rx).join(' / ')} (goal ≥ ${t.goal.toFixed(2)}×); total CPU/req ${cpu.map(rx).join(' / ')}`);
  }
  for (const id of ['ratio0Cm', 'ratio1Cm']) {
    if (!rows[id]) continue;
    const values = [16, 64].map((c) => ratio(rows[id][c].rps, rows.off[c].rps));
    const cpu = [16, 64].map((c) => ratio(rows[id][c].totalUs, rows.off[c].totalUs));
    console.log(`info  ${CASES.find((c) => c.id === id).label} vs telemetry off, throughput: ${values.map(rx).join(' / ')}; total CPU/req ${cpu.map(rx).join(' / ')} (not a target)`);
  }
  console.log(`info  added p50 at c1: ${running.filter((c) => c.id !== 'off').map((c) => `${c.label} ${d1(rows[c.id][1].p50 - rows.off[1].p50)} µs`).join('; ')}`);
}

try {
  const running = await main();
  report(running);
  const d = disturbedRows(results.windows);
  const others = median(results.windows.map((w) => w.othersShare));
  console.log(
    `\ndisturbed: ${d.disturbed} of ${d.rows} rows had a window where other processes used more than ${100 * DISTURBANCE_THRESHOLD}% of a core; ` +
      `${d.onlyDisturbed} had no other window, so their figures are from disturbed ones (marked *); in the median window others used ${(100 * others).toFixed(0)}% of a core`,
  );
  results.seconds = (performance.now() - started) / 1000;
  console.log(`took ${results.seconds.toFixed(0)} s`);
  if (opts.json) {
    results.pids = spawnedPids();
    writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`figures written to ${opts.json}`);
  }
} catch (err) {
  if (isStopping()) await new Promise(() => {}); // the signal handler exits once children are stopped
  console.error(`benchmark failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
