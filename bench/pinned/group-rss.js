// Resident memory of fresh processes: bare node, node + undici, the mesh with one destination,
// and the mesh after calls to 10 destinations (10 local servers in a process of their own).
import { once } from 'node:events';
import { startNodeChild, spawnPinned, stop, CLIENT_CORE, SERVER_CORE } from './processes.js';
import { rotate, median } from './summary.js';

const RSS_SCRIPT = new URL('./rss-child.js', import.meta.url).pathname;
const FARM_SCRIPT = new URL('../backend-farm.js', import.meta.url).pathname;
export const RSS_DESTINATIONS = 10;

async function startFarm(n) {
  const proc = spawnPinned(SERVER_CORE, process.execPath, [FARM_SCRIPT, JSON.stringify(Array.from({ length: n }, () => ({})))], { ipc: true });
  const [chunk] = await once(proc.stdout, 'data');
  return { proc, ports: JSON.parse(String(chunk).trim()) };
}

export async function runRssGroup({ opts }) {
  const farm = await startFarm(RSS_DESTINATIONS);
  const modes = [
    { id: 'node', label: 'bare node', args: [] },
    { id: 'undici', label: 'node + undici', args: [] },
    { id: 'mesh', label: 'createMesh, 1 destination', args: [] },
    { id: 'undiciCalls', label: `undici, ${RSS_DESTINATIONS} Pools, after ${opts.rssCalls} calls`, args: [JSON.stringify(farm.ports), String(opts.rssCalls)] },
    { id: 'meshCalls', label: `createMesh, ${RSS_DESTINATIONS} destinations, after ${opts.rssCalls} calls`, args: [JSON.stringify(farm.ports), String(opts.rssCalls)] },
  ];
  const modeArg = { node: 'node', undici: 'undici', mesh: 'mesh', undiciCalls: 'undici-calls', meshCalls: 'mesh-calls' };
  const raw = Object.fromEntries(modes.map((m) => [m.id, []]));
  const heap = Object.fromEntries(modes.map((m) => [m.id, []]));
  const heapTotal = Object.fromEntries(modes.map((m) => [m.id, []]));
  const atOnce = Object.fromEntries(modes.map((m) => [m.id, []]));
  // Every child waits idle before it is measured, so they run side by side (RSS is not disturbed
  // by a neighbour the way CPU time is); one rep's children at a time, in rotating order.
  const env = { ...process.env, INMESH_BENCH_RSS_IDLE_MS: String(opts.rssIdleMs) };
  try {
    for (let r = 0; r < opts.reps; r++) {
      const started = [];
      try {
        await Promise.all(
          rotate(modes, r).map(async (m) => {
            const run = startNodeChild(CLIENT_CORE, RSS_SCRIPT, [modeArg[m.id], ...m.args], { nodeArgs: ['--expose-gc'], timeoutMs: 90000 + opts.rssIdleMs, env });
            started.push(run);
            const { info } = await run;
            raw[m.id].push(info.rss / 2 ** 20);
            heap[m.id].push(info.heapUsed / 2 ** 20);
            heapTotal[m.id].push(info.heapTotal / 2 ** 20);
            atOnce[m.id].push(info.rssAtOnce / 2 ** 20);
          }),
        );
      } finally {
        for (const run of started) await run.then(({ child }) => stop(child), () => {});
      }
    }
  } finally {
    await stop(farm.proc);
  }
  const rows = Object.fromEntries(modes.map((m) => [m.id, { label: m.label, rssMB: median(raw[m.id]), rssAtOnceMB: median(atOnce[m.id]), heapMB: median(heap[m.id]), heapTotalMB: median(heapTotal[m.id]), repsMB: raw[m.id] }]));
  return { rows, skipped: [] };
}
