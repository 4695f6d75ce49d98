// RSS of a fresh Node process after GC (run with --expose-gc), in one of these states:
//   node        bare node
//   undici      undici imported
//   mesh        the library imported and createMesh with one destination (ready)
//   mesh-calls  createMesh with 10 destinations (ports in argv) after `calls` calls spread over them
//   undici-calls  the same calls through one raw undici Pool per destination (what undici itself keeps)
// Sends { rss, heapUsed, heapTotal, rssAtOnce } in bytes: measured after GC once the process has
// been idle for INMESH_BENCH_RSS_IDLE_MS (V8's memory reducer gives back, only on idle, the young
// generation it grew while loading or under calls, as an idle sidecar would be measured), and
// rssAtOnce right after the work. heapTotal beside heapUsed shows heap V8 has grown and kept.
import { distIndexUrl } from './dist-url.js';

const [mode, portsJson, callsArg] = process.argv.slice(2);
const MAX_MS = 60_000;

async function settle() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  return { rss, heapUsed, heapTotal };
}

async function callAll(ports, calls, call) {
  const stopAt = performance.now() + MAX_MS;
  let next = 0;
  const worker = async () => {
    while (next < calls && performance.now() < stopAt) {
      const i = next++;
      const r = await call(i % ports.length);
      await r.body.dump();
    }
  };
  await Promise.all(Array.from({ length: ports.length }, worker));
  if (next < calls) throw new Error(`only ${next} of ${calls} calls within ${MAX_MS} ms`);
}

async function prepare() {
  if (mode === 'node') return;
  if (mode === 'undici') {
    await import('undici');
    return;
  }
  if (mode === 'undici-calls') {
    const { Pool } = await import('undici');
    const pools = JSON.parse(portsJson).map((p) => new Pool(`http://127.0.0.1:${p}`));
    await callAll(pools, Number(callsArg), (i) => pools[i].request({ path: '/', method: 'GET' }));
    return pools;
  }
  const { createMesh } = await import(distIndexUrl());
  const config = (services) => ({ service: 'bench-rss', watch: false, shutdown: false, config: { identity: { mode: 'none' }, services } });
  if (mode === 'mesh') {
    const mesh = await createMesh(config({ inventory: { endpoints: ['127.0.0.1:9'], tls: 'none' } }));
    await mesh.ready();
    return mesh;
  }
  if (mode === 'mesh-calls') {
    const ports = JSON.parse(portsJson);
    const services = Object.fromEntries(ports.map((p, i) => [`svc-${i}`, { endpoints: [`127.0.0.1:${p}`], tls: 'none' }]));
    const mesh = await createMesh(config(services));
    await mesh.ready();
    await callAll(ports, Number(callsArg), (i) => mesh.request(`http://svc-${i}/`));
    return mesh;
  }
  throw new Error(`unknown rss mode ${mode}`);
}

process.on('disconnect', () => process.exit(0));
try {
  if (!globalThis.gc) throw new Error('run with --expose-gc');
  globalThis.keep = await prepare();
  const atOnce = await settle();
  await new Promise((r) => setTimeout(r, Number(process.env.INMESH_BENCH_RSS_IDLE_MS ?? 0)));
  process.send({ ...(await settle()), rssAtOnce: atOnce.rss });
} catch (err) {
  process.send({ error: String(err?.stack ?? err) });
  process.exit(1);
}
