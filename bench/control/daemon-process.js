// `inmesh control` run as the real command (bin/inmesh.js) in a process of its own, so that its
// RSS is its own and a restart is a real one: the process exits and a new one starts on the same
// port and store.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const BIN = new URL('../../bin/inmesh.js', import.meta.url).pathname;
const READY_WITHIN_MS = 15_000;
const EXIT_WITHIN_MS = 5_000;

/**
 * Starts the daemon on 127.0.0.1:`port` with `store` and the admin token in `adminTokenFile`;
 * resolves once /readyz answers, with the CA bundle it serves.
 * Options: { configFile, port, store, adminTokenFile, storeKeyFile? }.
 */
export async function startDaemonProcess(o) {
  let child;
  let stderr = '';
  const url = `https://127.0.0.1:${o.port}`;
  const args = [BIN, 'control', '--config', o.configFile, '--listen', `127.0.0.1:${o.port}`, '--store', o.store, '--admin-token-file', o.adminTokenFile, ...(o.storeKeyFile ? ['--store-key-file', o.storeKeyFile] : [])];

  const start = async () => {
    stderr = '';
    child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
    await waitReady(url, () => child.exitCode === null, () => stderr);
  };
  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = once(proc, 'exit');
    process.kill(proc.pid, 'SIGTERM');
    const timer = setTimeout(() => proc.exitCode === null && process.kill(proc.pid, 'SIGKILL'), EXIT_WITHIN_MS);
    await gone;
    clearTimeout(timer);
  };

  await start();
  // Bench only: the bundle is fetched over TLS not yet checked (loopback, our own child); everything after trusts it.
  const bundlePem = await fetchBundle(url);
  return {
    url,
    bundlePem,
    adminToken: readFileSync(o.adminTokenFile, 'utf8').trim(),
    get pid() {
      return child?.pid;
    },
    /** Resident set size of the daemon process, in MB (from /proc). */
    rssMB() {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
      return kb / 1024;
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}

async function waitReady(url, alive, output) {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  const until = Date.now() + READY_WITHIN_MS;
  try {
    for (;;) {
      if (!alive()) throw new Error(`inmesh control exited before it was ready:\n${output()}`);
      try {
        const res = await request(`${url}/readyz`, { dispatcher: agent, signal: AbortSignal.timeout(1000) });
        await res.body.text();
        if (res.statusCode === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`inmesh control at ${url} not ready within ${READY_WITHIN_MS} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await agent.close();
  }
}

async function fetchBundle(url) {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const res = await request(`${url}/v1/identity/bundle`, { dispatcher: agent });
    return JSON.parse(await res.body.text()).bundle;
  } finally {
    await agent.close();
  }
}
