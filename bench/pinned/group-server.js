// The server's CPU per request with a caller that is not Node: wrk pinned to the client's core.
import { measureServerWindow } from './window.js';
import { runInterleaved } from './interleave.js';
import { hasWrk, runWrk } from './http-load.js';

export const WRK_CONNECTIONS = 64;

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
  const load = (c, seconds) => runWrk({ port: c.server.port, connections: WRK_CONNECTIONS, seconds });
  for (const c of cases) await load(c, 1);
  const measure = (c) => measureServerWindow(c.label, c.server.pid, () => load(c, opts.loadSeconds));
  const rows = await runInterleaved({ group: 'server', cases, points: [WRK_CONNECTIONS], reps: opts.reps, measure, windows });
  return { rows, skipped: [] };
}
