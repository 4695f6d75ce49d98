// The sidecar pair: nginx A (on the client's core) → nginx B (on the server's core) → the
// server, each one nginx process with a generated config in a temp dir, started and stopped by
// PID through a keeper process (nginx-keeper.js) that also stops it if this process dies.
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nginxConfig } from './nginx-config.js';
import { freePort, waitForPort } from './free-port.js';
import { startNodeChild, stop, CLIENT_CORE, SERVER_CORE } from './processes.js';

export const NGINX = '/usr/sbin/nginx';
export const hasNginx = () => existsSync(NGINX);
const KEEPER = new URL('./nginx-keeper.js', import.meta.url).pathname;

async function startHop(dir, name, core, upstreamPort) {
  const port = await freePort();
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, nginxConfig({ dir, name, port, upstreamPort }));
  // -e: the error log before the config is read, so nothing is written outside dir.
  const { child: proc, info } = await startNodeChild(core, KEEPER, [NGINX, '-p', dir, '-c', conf, '-e', join(dir, `${name}-startup.log`)]);
  const hop = { proc, port, pid: info.pid };
  await waitForPort(port, 10000, () => proc.exitCode === null && proc.signalCode === null).catch(async (err) => {
    await stop(proc);
    throw new Error(`nginx ${name}: ${err.message}\n${proc.stderrText()}`);
  });
  return hop;
}

/** Starts B (to `serverPort`) then A (to B); returns A's port, both PIDs and stop(). */
export async function startNginxPair(serverPort) {
  const dir = mkdtempSync(join(tmpdir(), 'inmesh-bench-nginx-'));
  const hops = [];
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  // Also on a signal or an error elsewhere, when stopPair is never reached.
  process.once('exit', removeDir);
  const stopPair = async () => {
    await Promise.all(hops.map((h) => stop(h.proc)));
    removeDir();
  };
  try {
    hops.push(await startHop(dir, 'b', SERVER_CORE, serverPort));
    hops.push(await startHop(dir, 'a', CLIENT_CORE, hops[0].port));
  } catch (err) {
    await stopPair();
    throw err;
  }
  return { port: hops[1].port, pids: { nginxA: hops[1].pid, nginxB: hops[0].pid }, dir, stop: stopPair };
}
