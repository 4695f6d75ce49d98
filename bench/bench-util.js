import { fork } from 'node:child_process';
import { once } from 'node:events';
import { closedLoop } from './pinned/load-loop.js';

/** Starts bench/hello-server.js in a child process; returns its port and a stop function. */
export async function startServerProcess() {
  const child = fork(new URL('./hello-server.js', import.meta.url), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [chunk] = await once(child.stdout, 'data');
  const port = Number(String(chunk).trim());
  return { port, stop: () => { child.kill(); } };
}

/**
 * Runs `call` with `concurrency` workers for `count` calls or `maxMs`, whichever ends first
 * (every load loop here is bounded in count and time). Returns rps and latency percentiles (µs).
 */
export async function load(call, opts) {
  const { rps, p50, p99, n } = await closedLoop(call, opts);
  return { rps, p50, p99, n };
}

export function fmt(n, digits = 0) {
  return n.toFixed(digits).padStart(8);
}

/** Starts bench/backend-farm.js with these server specs; returns ports, kill(i) and stop(). */
export async function startFarm(specs) {
  const child = fork(new URL('./backend-farm.js', import.meta.url), [JSON.stringify(specs)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [chunk] = await once(child.stdout, 'data');
  const ports = JSON.parse(String(chunk).trim());
  return { ports, kill: (i) => child.send({ kill: i }), stop: () => child.kill() };
}

/** Percentile of a sorted Float64Array. */
export function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

/** Starts bench/mesh-backend.js processes (one per hog ratio); returns their ports and stop(). */
export async function startMeshBackends(hogs) {
  const children = await Promise.all(
    hogs.map(async (hog) => {
      const child = fork(new URL('./mesh-backend.js', import.meta.url), ['--hog', String(hog)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      const [chunk] = await once(child.stdout, 'data');
      return { child, port: Number(String(chunk).trim()) };
    }),
  );
  return { ports: children.map((c) => c.port), stop: () => children.forEach((c) => c.child.kill()) };
}
