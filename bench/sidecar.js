// The benchmark that measures what a sidecar comparison measures: client and server in separate
// processes pinned to separate cores, repetitions interleaved, CPU µs per request of every
// process, throughput and p50/p99, against raw undici → node:http in the same run; the same
// traffic through two nginx hops; the same pairs over mTLS against raw undici → node:https
// mTLS; the server's CPU with wrk and Fastify callers; RSS; and whether other processes
// disturbed each window.
//
// Usage: npm run bench -- [--reps 3] [--count 50000] [--seconds 5] [--quick]
//        [--only client,server,nginx,mtls,fastify,rss] [--json out.json] [--dist DIR] [--cpu-prof DIR]
// --count: calls per client window (a quarter at concurrency 1); --seconds: every window's time
// bound (wrk and Fastify windows last 3 s); --quick: a smoke run of tiny windows, one repetition.
// --dist: the library build to measure (e.g. another checkout's dist, for an A/B in one machine
// state); --ab DIR: the mesh client cases again with the build in DIR, interleaved with the
// others (a before/after in one run, robust to the machine changing between runs); --cpu-prof: the clients and servers under test write V8 CPU profiles into DIR.
import { writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOptions } from './pinned/options.js';
import { describeMachine } from './pinned/machine.js';
import { pinning, startNodeChild, stopAll, stopChildrenOnExit, spawnedPids, isStopping, profileChildrenInto, SERVER_CORE } from './pinned/processes.js';
import { hasProcfs, clockTicks } from './pinned/proc-stat.js';
import { DISTURBANCE_THRESHOLD, disturbedRows } from './pinned/disturbance.js';
import { runPairGroup } from './pinned/group-pair.js';
import { runServerGroup } from './pinned/group-server.js';
import { runFastifyGroup } from './pinned/group-fastify.js';
import { runRssGroup } from './pinned/group-rss.js';
import { hasOpenssl, makePki, spiffeIdOf, SERVER_SERVICE, CLIENT_SERVICE } from './pinned/pki.js';
import { median } from './pinned/summary.js';
import { evaluateTargets } from './pinned/targets.js';
import { printPair, printMtls, printAb, printSidecar, printServer, printFastify, printRss, printTargets } from './pinned/report.js';

let opts;
try {
  opts = parseOptions(process.argv.slice(2));
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
// Run at exit whatever the way out (the certificates' temp dir is removed there too).
const cleanups = [];
stopChildrenOnExit(cleanups);

const started = performance.now();
const machine = describeMachine();
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB; node ${machine.node}; kernel ${machine.kernel}; load average at start ${machine.loadavg.join(' ')}`);
console.log(`library: ${opts.dist ?? 'dist/ of this checkout'};${opts.ab ? ` A/B against ${opts.ab} in the same run;` : ''}${opts.cpuProf ? ` CPU profiles into ${opts.cpuProf} (they slow the children: figures are not comparable);` : ''} groups: ${opts.only.join(', ')}; ${opts.reps} rep(s), ${opts.count} calls per window (a quarter at concurrency 1), each window at most ${opts.maxMs / 1000} s; CLK_TCK ${clockTicks()}`);
if (pinning.ok) console.log('pinning: client and load tools on core 0, servers on core 1 (taskset)');
else console.log(`warning: not pinned (${pinning.why}): client and server share cores, figures measure their contention too`);
console.log(`a window is disturbed when processes other than the measured ones use more than ${100 * DISTURBANCE_THRESHOLD}% of a core during it (/proc/stat); figures are medians of the undisturbed repetitions, * when every repetition was disturbed`);

const SERVER_SCRIPT = new URL('./pinned/server-child.js', import.meta.url).pathname;
const results = { machine, options: opts, pinned: pinning.ok, skipped: [], windows: [] };
const windows = results.windows;

async function main() {
  const wants = (g) => opts.only.includes(g);
  let servers;
  let pki;
  if (wants('mtls')) {
    if (hasOpenssl()) {
      pki = makePki();
      cleanups.push(pki.remove);
      results.pkiDir = pki.dir;
      console.log(`mtls: certificates for ${spiffeIdOf(SERVER_SERVICE)} and ${spiffeIdOf(CLIENT_SERVICE)} made by openssl in ${pki.dir} (removed at the end)`);
    } else {
      results.skipped.push('mtls: the openssl CLI is not installed; the mTLS pairs are not measured');
      console.log(`warning: ${results.skipped.at(-1)}`);
    }
  }
  if (wants('client') || wants('nginx') || wants('server') || pki) {
    const node = await startNodeChild(SERVER_CORE, SERVER_SCRIPT, ['node'], { profile: 'server-node' });
    const mesh = await startNodeChild(SERVER_CORE, SERVER_SCRIPT, ['mesh'], { profile: 'server-mesh' });
    servers = { node: { pid: node.child.pid, port: node.info.port }, mesh: { pid: mesh.child.pid, port: mesh.info.port } };
    if (opts.ab && wants('client')) {
      const env = { ...process.env, INMESH_BENCH_DIST: opts.ab };
      const meshB = await startNodeChild(SERVER_CORE, SERVER_SCRIPT, ['mesh'], { profile: 'server-mesh-ab', env });
      servers.meshB = { pid: meshB.child.pid, port: meshB.info.port };
    }
    if (pki) {
      const nodeTls = await startNodeChild(SERVER_CORE, SERVER_SCRIPT, ['node-mtls', pki.dir], { profile: 'server-node-mtls' });
      const meshTls = await startNodeChild(SERVER_CORE, SERVER_SCRIPT, ['mesh-mtls', pki.dir], { profile: 'server-mesh-mtls' });
      servers.nodeTls = { pid: nodeTls.child.pid, port: nodeTls.info.port };
      servers.meshTls = { pid: meshTls.child.pid, port: meshTls.info.port };
    }
  }
  const pairGroups = ['client', 'nginx', ...(pki ? ['mtls'] : [])].filter(wants);
  if (pairGroups.length) {
    console.log(`\n[${pairGroups.join('/')}] measuring...`);
    const r = await runPairGroup({ groups: opts.only, servers, opts, windows, pki });
    results.pair = r.rows;
    results.skipped.push(...r.skipped);
  }
  if (wants('server')) {
    console.log('\n[server] measuring...');
    const r = await runServerGroup({ servers, opts, windows });
    results.server = r.rows;
    results.skipped.push(...r.skipped);
  }
  await stopAll();
  if (wants('fastify')) {
    console.log('\n[fastify] measuring...');
    const r = await runFastifyGroup({ opts, windows });
    results.fastify = r.rows;
    results.fastifyTool = r.tool;
  }
  if (wants('rss')) {
    console.log('\n[rss] measuring...');
    results.rss = (await runRssGroup({ opts })).rows;
  }

  if (results.pair) {
    printPair(results.pair, [['direct', 'undici → node:http'], ['undiciMesh', 'undici → mesh.serve'], ['meshNode', 'mesh.request → node:http'], ['meshMesh', 'mesh.request → mesh.serve'], ['nginx', 'undici → nginx ×2 → node:http'], ['meshNodeB', 'mesh.request (--ab) → node:http'], ['meshMeshB', 'mesh.request (--ab) → mesh.serve (--ab)']], opts.reps);
    if (opts.ab) printAb(results.pair, opts.ab);
    printSidecar(results.pair);
    printMtls(results.pair, opts.reps);
  }
  if (results.server || results.pair) printServer(results.server ?? {}, results.pair ?? {}, opts.reps);
  if (results.fastify) printFastify(results.fastify, opts.reps, results.fastifyTool);
  if (results.rss) printRss(results.rss, opts.reps, opts.rssIdleMs);
  results.targets = evaluateTargets(results);
  printTargets(results.targets);

  const d = disturbedRows(windows);
  results.disturbedRows = d.disturbed;
  results.rowsFromDisturbedWindowsOnly = d.onlyDisturbed;
  results.rows = d.rows;
  results.seconds = (performance.now() - started) / 1000;
  for (const s of results.skipped) console.log(`skipped: ${s}`);
  const others = median(windows.map((w) => w.othersShare));
  if (windows.length) {
    console.log(
      `\ndisturbed: ${d.disturbed} of ${d.rows} rows had a window where other processes used more than ${100 * DISTURBANCE_THRESHOLD}% of a core; ` +
        `${d.onlyDisturbed} had no other window, so their figures are from disturbed ones (marked *); in the median window others used ${(100 * others).toFixed(0)}% of a core`,
    );
  }
  console.log(`took ${results.seconds.toFixed(0)} s`);
  if (opts.json) {
    results.pids = spawnedPids();
    writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`figures written to ${opts.json}`);
  }
}

try {
  await main();
} catch (err) {
  if (isStopping()) await new Promise(() => {}); // the signal handler exits once children are stopped
  console.error(`benchmark failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  for (const f of cleanups.splice(0)) f();
}
