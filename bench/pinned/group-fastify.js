// Fastify plain, through mesh.serve, and through mesh.serve with a destination configured (the
// inbound scope is entered), loaded with 64 connections from the client's core: by wrk when it
// is installed, since autocannon (Node, one core) saturates before a Fastify hello server does
// and its throughput ratios then measure autocannon; or by autocannon (--fastify-tool autocannon).
import { startNodeChild, stop, SERVER_CORE } from './processes.js';
import { measureServerWindow } from './window.js';
import { runInterleaved } from './interleave.js';
import { runAutocannon, runWrk, hasWrk } from './http-load.js';

export const FASTIFY_CONNECTIONS = 64;
const SERVER_SCRIPT = new URL('./server-child.js', import.meta.url).pathname;
const MODES = [
  { id: 'plain', label: 'plain Fastify', mode: 'fastify' },
  { id: 'mesh', label: 'Fastify via mesh.serve', mode: 'fastify-mesh' },
  { id: 'dest', label: 'mesh.serve + a destination', mode: 'fastify-dest' },
];

export async function runFastifyGroup({ opts, windows }) {
  const tool = opts.fastifyTool === 'wrk' && hasWrk() ? 'wrk' : 'autocannon';
  const cases = [];
  try {
    for (const m of MODES) {
      const { child, info } = await startNodeChild(SERVER_CORE, SERVER_SCRIPT, [m.mode], { profile: `server-${m.mode}` });
      cases.push({ ...m, child, port: info.port });
    }
    const load =
      tool === 'wrk'
        ? (c, count, seconds) => runWrk({ port: c.port, connections: FASTIFY_CONNECTIONS, seconds })
        : (c, count) => runAutocannon({ port: c.port, connections: FASTIFY_CONNECTIONS, count, maxMs: opts.maxMs });
    for (const c of cases) await load(c, opts.warmup, 1);
    const measure = (c) => measureServerWindow(c.label, c.child.pid, () => load(c, opts.count, opts.loadSeconds));
    const rows = await runInterleaved({ group: 'fastify', cases, points: [FASTIFY_CONNECTIONS], reps: opts.reps, measure, windows });
    return { rows, tool, skipped: [] };
  } finally {
    await Promise.all(cases.map((c) => stop(c.child)));
  }
}
