// Load from outside Node's client stack, pinned to the client's core: wrk (-t1 for `seconds`;
// wrk always runs its full duration and reports rates over it, so the count bound is a cap that
// a script enforces, and reaching it is an error) and autocannon (in a child, stopped by amount
// and by a timer). Both also get a hard kill after the time bound.
import { writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPinned, CLIENT_CORE } from './processes.js';
import { parseWrkOutput, WRK_STOP_SCRIPT } from './wrk-output.js';

export const WRK = '/usr/bin/wrk';
/** wrk's count bound, per second of its run: far above what one Node core serves. */
const WRK_MAX_RPS = 200_000;
export const hasWrk = () => existsSync(WRK);

function runToEnd(child, hardMs) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), hardMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`load tool exited (${code ?? signal})\n${out}\n${child.stderrText()}`));
    });
  });
}

let scriptDir;
export async function runWrk({ port, connections, seconds, cap = WRK_MAX_RPS * seconds }) {
  if (!scriptDir) {
    scriptDir = mkdtempSync(join(tmpdir(), 'inmesh-bench-wrk-'));
    writeFileSync(join(scriptDir, 'stop.lua'), WRK_STOP_SCRIPT);
    process.once('exit', () => rmSync(scriptDir, { recursive: true, force: true }));
  }
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', join(scriptDir, 'stop.lua'), `http://127.0.0.1:${port}/`, '--', String(cap)];
  const res = parseWrkOutput(await runToEnd(spawnPinned(CLIENT_CORE, WRK, args), seconds * 1000 + 10000));
  if (res.requests >= cap) throw new Error(`wrk reached its cap of ${cap} requests within ${seconds} s: its rate would be wrong`);
  return { n: res.requests, rps: res.rps, p50: res.p50, p99: res.p99, errors: res.errors + res.non2xx };
}

export async function runAutocannon({ port, connections, count, maxMs }) {
  const child = spawnPinned(CLIENT_CORE, process.execPath, [new URL('./autocannon-child.js', import.meta.url).pathname, String(port), String(connections), String(count), String(maxMs)]);
  const res = JSON.parse(await runToEnd(child, maxMs + 15000));
  return res;
}
