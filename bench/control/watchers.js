// A config change reaching many connected watchers of `inmesh control`.
//
// The daemon runs as the real command in its own process (file store); the watchers are
// blocking queries on /v1/config (`?version=N&wait=60s`) spread over a few child processes,
// each query on its own keep-alive connection, so 1,000 watchers are 1,000 TLS connections to
// the daemon. Each change is an admin PUT of a new mesh.yaml; a watcher's latency is from the
// moment the PUT is sent to that watcher having the new version, so it includes the PUT itself
// (validation, the store's fsync). Measured from the PUT's answer it would be negative: the
// daemon wakes the watchers before it answers the PUT. Also the daemon's RSS, idle and with
// every watcher parked.
// Targets: p99 < 1 s; daemon RSS < 200 MB with 1,000 watchers.
//
// Usage: npm run bench:control-watch [-- --watchers 1000 --processes 4 --changes 8]
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { describeMachine } from '../pinned/machine.js';
import { freePort } from '../pinned/free-port.js';
import { percentile } from '../bench-util.js';
import { startDaemonProcess } from './daemon-process.js';

const { values: args } = parseArgs({ options: { watchers: { type: 'string', default: '1000' }, processes: { type: 'string', default: '4' }, changes: { type: 'string', default: '8' } } });
const WATCHERS = Number(args.watchers);
const PROCESSES = Number(args.processes);
const CHANGES = Number(args.changes);
const TARGET_P99_MS = 1000;
const TARGET_RSS_MB = 200;
const CHANGE_WITHIN_MS = 15_000;
const PARK_WITHIN_MS = 60_000;
const now = () => performance.timeOrigin + performance.now();

console.log('machine:', JSON.stringify(describeMachine()));
const dir = mkdtempSync(join(tmpdir(), 'inmesh-bench-watch-'));
const configFile = join(dir, 'mesh.yaml');
const yamlOf = (i) => `trustDomain: bench.local\nservices:\n  orders:\n    endpoints: ["127.0.0.1:8081"]\n    timeout: ${i + 1}s\n`;
writeFileSync(configFile, yamlOf(0));
const adminTokenFile = join(dir, 'admin.token');
writeFileSync(adminTokenFile, randomBytes(24).toString('hex'), { mode: 0o600 });
const daemon = await startDaemonProcess({ configFile, port: await freePort(), store: `file:${join(dir, 'store')}`, adminTokenFile });
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, daemon.bundlePem);
const agent = new Agent({ connect: { ca: daemon.bundlePem } });
const children = [];
try {
  const idleRss = daemon.rssMB();
  const perChild = Array.from({ length: PROCESSES }, (_, i) => Math.floor(WATCHERS / PROCESSES) + (i < WATCHERS % PROCESSES ? 1 : 0));
  const arrivals = new Map(); // version → times from every child
  let errors = 0;
  const connecting = performance.now();
  await Promise.all(
    perChild.map(
      (n) =>
        new Promise((resolve, reject) => {
          const child = fork(new URL('./watcher-child.js', import.meta.url), [daemon.url, String(n), caFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          children.push(child);
          child.on('message', (m) => {
            if (m.ready) resolve();
            else if (m.error) errors++;
            else if (m.version !== undefined) arrivals.set(m.version, [...(arrivals.get(m.version) ?? []), m.times]);
          });
          child.once('exit', (code) => reject(new Error(`a watcher process exited (${code})`)));
        }),
    ),
  );
  await parked(WATCHERS);
  const connectMs = performance.now() - connecting;
  const parkedRss = daemon.rssMB();

  const latencies = [];
  const perChange = [];
  const putMs = [];
  let peakRss = parkedRss;
  for (let i = 1; i <= CHANGES; i++) {
    const sentAt = now();
    const res = await request(`${daemon.url}/v1/config`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/yaml', authorization: `Bearer ${daemon.adminToken}` }, body: yamlOf(i) });
    putMs.push(now() - sentAt);
    const { version } = JSON.parse(await res.body.text());
    if (res.statusCode !== 200) throw new Error(`PUT answered ${res.statusCode}`);
    const until = Date.now() + CHANGE_WITHIN_MS;
    while ((arrivals.get(version)?.length ?? 0) < PROCESSES) {
      if (Date.now() > until) throw new Error(`version ${version} reached ${arrivals.get(version)?.flat().length ?? 0} of ${WATCHERS} watchers in ${CHANGE_WITHIN_MS} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const these = arrivals.get(version).flat().map((t) => t - sentAt);
    latencies.push(...these);
    perChange.push(Math.max(...these));
    peakRss = Math.max(peakRss, daemon.rssMB());
    await parked(WATCHERS);
    peakRss = Math.max(peakRss, daemon.rssMB());
  }

  latencies.sort((a, b) => a - b);
  const p99 = percentile(latencies, 0.99);
  console.log(`control config push: ${WATCHERS} watchers (blocking queries, one connection each) in ${PROCESSES} processes, ${CHANGES} changes`);
  console.log(`  ${WATCHERS} watchers connected and parked in ${(connectMs / 1000).toFixed(1)} s; ${errors} watcher errors`);
  console.log(`  PUT sent → watcher has the version: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms (target p99 < ${TARGET_P99_MS} ms ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'})`);
  console.log(`  slowest watcher per change: ${perChange.map((m) => m.toFixed(0)).join(', ')} ms; the PUT's own round trip: ${putMs.map((m) => m.toFixed(0)).join(', ')} ms`);
  console.log(`  daemon RSS: idle ${idleRss.toFixed(0)} MB, ${WATCHERS} watchers parked ${parkedRss.toFixed(0)} MB, peak ${peakRss.toFixed(0)} MB (target < ${TARGET_RSS_MB} MB ${peakRss < TARGET_RSS_MB ? 'met' : 'NOT met'}); ${((parkedRss - idleRss) * 1024 / WATCHERS).toFixed(1)} KB per watcher`);
} finally {
  for (const c of children) {
    c.removeAllListeners('exit');
    if (c.connected) c.send('stop');
  }
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  await agent.close();
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Until the daemon's own gauge shows `n` parked blocking queries (each change answers them all; they come back). */
async function parked(n) {
  const until = Date.now() + PARK_WITHIN_MS;
  for (;;) {
    const res = await request(`${daemon.url}/metrics`, { dispatcher: agent });
    const m = /^inmesh_control_watchers\{kind="blocking"\} (\d+)/m.exec(await res.body.text());
    if (Number(m?.[1]) >= n) return;
    if (Date.now() > until) throw new Error(`only ${m?.[1]} of ${n} watchers parked after ${PARK_WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
