// Every process the benchmark starts, pinned to a core when it can be, and stopped by PID on
// every way out: normal end, error, SIGINT/SIGTERM.
import { spawn, execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export const CLIENT_CORE = 0;
export const SERVER_CORE = 1;

const live = new Set();
let stopping = false;

/** True once a signal asked the benchmark to stop (errors from killed children are expected then). */
export const isStopping = () => stopping;
const spawned = [];

/** Every PID this process started, so that a caller can check none is left. */
export const spawnedPids = () => [...spawned];

function detectPinning() {
  if (availableParallelism() < 2) return { ok: false, why: `only ${availableParallelism()} core(s)` };
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return { ok: true };
  } catch {
    return { ok: false, why: 'taskset is missing' };
  }
}
export const pinning = detectPinning();

/**
 * Spawns `cmd args` pinned to `core` (through taskset, which execs the command, so the child's
 * PID is the command's own). Node children get an IPC channel. The child is stopped at exit.
 */
export function spawnPinned(core, cmd, args, { ipc = false, stdout = 'pipe', env } = {}) {
  const [file, argv] = pinning.ok ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { stdio: ['ignore', stdout, 'pipe', ...(ipc ? ['ipc'] : [])], env: env ?? process.env });
  live.add(child);
  spawned.push(child.pid);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20000) stderr = stderr.slice(-10000);
  });
  child.stderrText = () => stderr;
  child.once('exit', () => live.delete(child));
  return child;
}

let profileDir;
/** With --cpu-prof DIR: the clients and servers under test write V8 CPU profiles there as they exit. */
export function profileChildrenInto(dir) {
  profileDir = dir;
}

/** A pinned Node child running `script`; resolves once it sends its first message ({ ready }). */
export async function startNodeChild(core, script, args = [], { nodeArgs = [], timeoutMs = 20000, profile, env } = {}) {
  const prof = profile && profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${profile}.cpuprofile`] : [];
  const child = spawnPinned(core, process.execPath, [...prof, ...nodeArgs, script, ...args], { ipc: true, stdout: 'inherit', env });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms\n${child.stderrText()}`)), timeoutMs);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready\n${child.stderrText()}`));
    });
  });
  if (first?.error) throw new Error(`${script}: ${first.error}`);
  return { child, info: first };
}

/** Sends `msg` and waits for the child's answer, for at most `timeoutMs`. */
export function ask(child, msg, timeoutMs) {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (m) => {
      done();
      if (m?.error) reject(new Error(m.error));
      else resolve(m);
    };
    const onExit = (code, signal) => {
      done();
      reject(new Error(`child exited (${code ?? signal})\n${child.stderrText?.() ?? ''}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`child gave no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(msg);
  });
}

/** Stops a child by PID: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stop(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll() {
  await Promise.all([...live].map((c) => stop(c)));
}

/** At exit (normal or not) no child is left behind; on a signal, stop them and exit. */
export function stopChildrenOnExit(cleanups = []) {
  process.on('exit', () => {
    // SIGTERM, not SIGKILL: the nginx keepers stop their nginx on it.
    for (const c of live) c.kill('SIGTERM');
    for (const f of cleanups) f();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, async () => {
      stopping = true;
      console.error(`\n${sig}: stopping child processes`);
      await stopAll();
      process.exit(130);
    });
  }
}
