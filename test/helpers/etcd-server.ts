import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where the etcd binary is: $ETCD_BIN, then PATH, then Debian's etcd-server location; undefined when none. */
export function findEtcdBinary(): string | undefined {
  const candidates = [process.env.ETCD_BIN, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'etcd')), '/usr/bin/etcd', '/usr/local/bin/etcd'];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Why etcd tests are skipped, or undefined when they can run. */
export const etcdMissing: string | undefined = findEtcdBinary() === undefined ? 'no etcd binary (apt-get install etcd-server, or set ETCD_BIN); scripts/install-system-deps.sh installs it' : undefined;

export interface TestEtcd {
  /** `http://127.0.0.1:<client port>`. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** The running process's PID, undefined while stopped. */
  readonly pid: number | undefined;
  /** How long the last start took, from spawn to the first healthy answer. */
  readonly startMs: number;
  /** Kills this etcd (by its PID) and waits until it is gone; the data dir stays. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data dir. */
  restart(): Promise<void>;
  /** Stops it and deletes its data dir. */
  remove(): Promise<void>;
}

const READY_WITHIN_MS = 10_000;
const EXIT_WITHIN_MS = 3_000;

/**
 * A single-member etcd on loopback with free ports and its own temp data dir. Raft timing is cut
 * down (10 ms heartbeat, 100 ms election) so that a lone member elects itself at once, and so
 * that the smallest lease TTL etcd grants is 1 s rather than 2 s.
 *
 * @example
 * const etcd = await startEtcd();
 * try { … etcd.endpoint … } finally { await etcd.remove(); }
 */
export async function startEtcd(): Promise<TestEtcd> {
  const binary = findEtcdBinary();
  if (!binary) throw new Error(etcdMissing);
  const [clientPort, peerPort] = await freePorts(2);
  const dataDir = mkdtempSync(join(tmpdir(), 'inmesh-etcd-'));
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'test',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `test=${peer}`,
    '--initial-cluster-state', 'new',
    '--heartbeat-interval', '10',
    '--election-timeout', '100',
    '--log-level', 'error',
  ];
  let child: ChildProcess | undefined;
  let startMs = 0;
  let output = '';

  const start = async (): Promise<void> => {
    const t0 = performance.now();
    output = '';
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code, signal) => reject(new Error(`etcd exited (${code ?? signal}) before it served:\n${output}`)));
      proc.once('error', reject);
    });
    await Promise.race([waitHealthy(endpoint), exited]);
    startMs = performance.now() - t0;
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    process.kill(proc.pid!, 'SIGTERM');
    const timer = setTimeout(() => {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL');
    }, EXIT_WITHIN_MS);
    await gone;
    clearTimeout(timer);
  };

  await start();
  return {
    endpoint,
    dataDir,
    get pid() {
      return child?.pid;
    },
    get startMs() {
      return startMs;
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
    async remove() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitHealthy(endpoint: string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
      last = new Error(`health: ${JSON.stringify(body)}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`etcd at ${endpoint} did not become healthy within ${READY_WITHIN_MS} ms: ${(last as Error)?.message}`);
}

/** Ports the kernel hands out for port 0, held together so that they differ. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
