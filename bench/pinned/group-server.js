// The server's CPU per request with a caller that is not Node: wrk pinned to the client's core.
import { measureWindow } from './window.js';
import { runInterleaved } from './interleave.js';
import { hasWrk, runWrk } from './http-load.js';

export const WRK_CONNECTIONS = 64;
const WRK_MAX_RPS = 200_000;

export async function runServerGroup({ servers, opts, windows }) {
  if (!hasWrk()) {
    const why = 'server: /usr/bin/wrk is not installed; server CPU with a non-Node caller is not measured';
    console.log(`warning: ${why}`);
    return { rows: {}, skipped: [why] };
  }
  const cases = [
    { id: 'wrkNode', label: 'wrk → node:http', server: servers.node },
    { id: 'wrkMesh', label: 'wrk → mesh.serve', server: servers.mesh },
  ];
  // wrk runs for a duration; the count bound is a cap far above what one Node core serves (see http-load.js).
  const load = (c, seconds) => runWrk({ port: c.server.port, connections: WRK_CONNECTIONS, seconds, cap: WRK_MAX_RPS * seconds });
  for (const c of cases) await load(c, 1);
  const measure = async (c) => {
    const w = await measureWindow({ server: c.server.pid }, () => load(c, opts.loadSeconds));
    if (w.result.errors) throw new Error(`${c.label}: ${w.result.errors} errors`);
    const { n, rps, p50, p99 } = w.result;
    return { n, rps, p50, p99, serverUs: w.cpuUs.server / n, serverBusy: w.cpuUs.server / (w.elapsedMs * 1000), othersShare: w.othersShare, stealShare: w.stealShare, disturbed: w.disturbed };
  };
  const rows = await runInterleaved({ group: 'server', cases, points: [WRK_CONNECTIONS], reps: opts.reps, measure, windows });
  return { rows, skipped: [] };
}
