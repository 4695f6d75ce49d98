// A single-member etcd on loopback for bench/control/restarts.js: free ports, its own data dir,
// raft timing cut down so that a lone member elects itself at once. Stopped and started again by
// its PID, on the same ports and data.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../pinned/free-port.js';

const READY_WITHIN_MS = 10_000;

/** $ETCD_BIN, else Debian's etcd-server binary; undefined when there is none. */
export function etcdBinary() {
  for (const c of [process.env.ETCD_BIN, '/usr/bin/etcd', '/usr/local/bin/etcd']) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  return undefined;
}

export async function startEtcdProcess() {
  const binary = etcdBinary();
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'inmesh-bench-etcd-'));
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = ['--name', 'bench', '--data-dir', dataDir, '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `bench=${peer}`, '--initial-cluster-state', 'new', '--heartbeat-interval', '10', '--election-timeout', '100', '--log-level', 'error'];
  let child;
  const start = async () => {
    child = spawn(binary, args, { stdio: 'ignore' });
    const until = Date.now() + READY_WITHIN_MS;
    for (;;) {
      try {
        const body = await (await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) })).json();
        if (body.health === 'true') return;
      } catch {}
      if (child.exitCode !== null) throw new Error(`etcd exited (${child.exitCode}) before it served`);
      if (Date.now() > until) throw new Error(`etcd at ${endpoint} not healthy within ${READY_WITHIN_MS} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = once(child, 'exit');
    process.kill(child.pid, 'SIGTERM');
    await gone;
  };
  await start();
  return { endpoint, stop, start, async remove() { await stop(); rmSync(dataDir, { recursive: true, force: true }); } };
}
