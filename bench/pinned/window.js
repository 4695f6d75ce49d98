// One measurement window: the CPU of the measured processes and of the whole machine, read
// around `run()`, and whether others disturbed it.
import { readPidTicks, readSystemTicks, clockTicks } from './proc-stat.js';
import { othersUsage } from './disturbance.js';

/**
 * `pids`: { role: pid } of the processes whose CPU is reported (server, proxies, client).
 * This process is counted as measured too, with its reaped children (wrk, autocannon) included.
 * Returns run()'s result with `cpuTicks` per role, `elapsedMs`, `othersShare` and `disturbed`.
 */
export async function measureWindow(pids, run) {
  const hz = clockTicks();
  const roles = Object.keys(pids);
  const sys0 = readSystemTicks();
  const self0 = readPidTicks(process.pid, { children: true });
  const before = roles.map((r) => readPidTicks(pids[r]));
  const t0 = performance.now();
  const result = await run();
  const elapsedMs = performance.now() - t0;
  const after = roles.map((r) => readPidTicks(pids[r]));
  const self1 = readPidTicks(process.pid, { children: true });
  const sys1 = readSystemTicks();
  const cpuTicks = Object.fromEntries(roles.map((r, i) => [r, after[i] - before[i]]));
  const measuredTicks = Object.values(cpuTicks).reduce((a, b) => a + b, 0) + (self1 - self0);
  const others = othersUsage({ busyTicks: sys1.busy - sys0.busy, measuredTicks, elapsedMs, hz });
  return {
    result,
    cpuTicks,
    cpuUs: Object.fromEntries(roles.map((r) => [r, (cpuTicks[r] * 1e6) / hz])),
    elapsedMs,
    othersShare: others.shareOfCore,
    stealShare: (sys1.steal - sys0.steal) / ((elapsedMs / 1000) * hz),
    disturbed: others.disturbed,
  };
}

/**
 * A window of load from a tool outside the measured processes (wrk, autocannon): the server's CPU
 * per request and how busy it was. `run()` returns { n, rps, p50, p99, errors }; any error fails.
 */
export async function measureServerWindow(label, pid, run) {
  const w = await measureWindow({ server: pid }, run);
  if (w.result.errors) throw new Error(`${label}: ${w.result.errors} errors`);
  const { n, rps, p50, p99 } = w.result;
  return { n, rps, p50, p99, serverUs: w.cpuUs.server / n, serverBusy: w.cpuUs.server / (w.elapsedMs * 1000), othersShare: w.othersShare, stealShare: w.stealShare, disturbed: w.disturbed };
}
