// Resilience under trouble, each scenario against its baseline in the same run:
//  1. one of four endpoints 10x slower: p99 with p2c-ewma vs all-healthy p99 (round-robin beside it);
//  2. one endpoint killed mid-run under idempotent GETs: failed calls seen by the caller;
//  3. a backend failing 100%: attempts per call (the retry budget must hold);
//  4. hedging on a route where 5% of calls are slow: p99 with and without.
// Usage: npm run bench:resilience
import { createMesh } from '../dist/index.js';
import { startFarm, startMeshBackends, percentile } from './bench-util.js';

const CALLS = Number(process.argv[process.argv.indexOf('--calls') + 1]) || 6000;
const MAX_MS = 30_000;

async function drive(mesh, url, { calls = CALLS, concurrency = 16, onProgress } = {}) {
  const lat = new Float64Array(calls);
  let next = 0;
  let done = 0;
  let failed = 0;
  const until = performance.now() + MAX_MS;
  const worker = async () => {
    while (next < calls && performance.now() < until) {
      const i = next++;
      onProgress?.(i);
      const t = performance.now();
      try {
        const res = await mesh.request(url);
        await res.body.dump();
        if (res.statusCode >= 500) failed++;
      } catch {
        failed++;
      }
      lat[done++] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const sorted = lat.subarray(0, done).sort();
  return { done, failed, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

async function withMesh(services, fn, extra = {}) {
  const mesh = await createMesh({ service: 'bench', watch: false, config: { identity: { mode: 'none' }, services }, ...extra });
  await mesh.ready();
  try {
    return await fn(mesh);
  } finally {
    await mesh.close();
  }
}

const ms = (x) => `${x.toFixed(2)} ms`;
const addr = (ports) => ports.map((p) => `127.0.0.1:${p}`);

// 1. Slow endpoint, with servers that queue (CPU-bound: one request at a time) and with
// servers that only wait (I/O-bound: latency does not grow with load).
// CPU-bound at two loads: 8 in flight (healthy servers ~60% busy) and 16 (near saturation,
// where sending some calls to the slow endpoint is what minimises mean latency).
for (const [kind, fast, slow, serial, concurrency] of [
  ['CPU-bound (serial) servers, 2 ms vs 20 ms', 2, 20, true, 8],
  ['CPU-bound (serial) servers, 2 ms vs 20 ms', 2, 20, true, 16],
  ['I/O-bound (sleeping) servers, 5 ms vs 50 ms', 5, 50, false, 16],
]) {
  const healthy = await startFarm([0, 1, 2, 3].map(() => ({ delayMs: fast, serial })));
  const oneSlow = await startFarm([fast, fast, fast, slow].map((delayMs) => ({ delayMs, serial })));
  const base = await withMesh({ s: { endpoints: addr(healthy.ports), tls: 'none' } }, (m) => drive(m, 'http://s/', { concurrency }));
  const p2c = await withMesh({ s: { endpoints: addr(oneSlow.ports), tls: 'none', loadBalancer: 'p2c-ewma' } }, (m) => drive(m, 'http://s/', { concurrency }));
  const rr = await withMesh({ s: { endpoints: addr(oneSlow.ports), tls: 'none', loadBalancer: 'round-robin' } }, (m) => drive(m, 'http://s/', { concurrency }));
  console.log(`1. one of four endpoints 10x slower: ${kind} (${concurrency} concurrent, ${CALLS} calls)`);
  console.log(`   all healthy       p50 ${ms(base.p50)}  p99 ${ms(base.p99)}`);
  console.log(`   p2c-ewma          p50 ${ms(p2c.p50)}  p99 ${ms(p2c.p99)}   p99 ratio ${(p2c.p99 / base.p99).toFixed(2)}x (target <= 1.5x)`);
  console.log(`   round-robin       p50 ${ms(rr.p50)}  p99 ${ms(rr.p99)}   p99 ratio ${(rr.p99 / base.p99).toFixed(2)}x`);
  healthy.stop();
  oneSlow.stop();
}

// 2. Endpoint killed mid-run.
{
  const farm = await startFarm([{ delayMs: 1 }, { delayMs: 1 }, { delayMs: 1 }, { delayMs: 1 }]);
  const services = {
    s: {
      endpoints: addr(farm.ports),
      tls: 'none',
      retries: { attempts: 3, on: ['connect-failure', 'reset', 'refused-stream'] },
      outlierDetection: { consecutive5xx: 5, consecutiveConnectFailures: 1, baseEjectionTime: '30s', maxEjectionPercent: 50 },
    },
  };
  const r = await withMesh(services, (m) => drive(m, 'http://s/', { onProgress: (i) => i === Math.floor(CALLS / 3) && farm.kill(2) }));
  console.log('2. one of four endpoints killed a third of the way in');
  console.log(`   ${r.done} calls, ${r.failed} failed (target 0)   p99 ${ms(r.p99)}`);
  farm.stop();
}

// 3. Backend failing 100%.
{
  const farm = await startFarm([{ failRatio: 1 }, { failRatio: 1 }]);
  let attempts = 0;
  const services = { s: { endpoints: addr(farm.ports), tls: 'none', retries: { attempts: 3, on: [503], budget: 0.2 } } };
  const r = await withMesh(services, async (m) => {
    const out = await drive(m, 'http://s/');
    attempts = m.stats()[0].endpoints.reduce((n, e) => n + e.requests, 0);
    return out;
  });
  console.log('3. backend failing 100% (retries: 3 attempts on 503, budget 20%)');
  console.log(`   ${r.done} calls, ${attempts} attempts: ${(attempts / r.done).toFixed(3)} attempts per call (target <= 1.25)`);
  farm.stop();
}

// 4. Hedging.
{
  const farm = await startFarm([0, 1, 2, 3].map(() => ({ delayMs: 1, slowRatio: 0.05, slowMs: 60 })));
  const plain = { s: { endpoints: addr(farm.ports), tls: 'none' } };
  const hedged = { s: { endpoints: addr(farm.ports), tls: 'none', routes: [{ match: { methods: ['GET'] }, hedge: { delay: '5ms', maxAttempts: 2 } }] } };
  const a = await withMesh(plain, (m) => drive(m, 'http://s/'));
  const b = await withMesh(hedged, (m) => drive(m, 'http://s/'));
  console.log('4. 5% of calls 60 ms slow; hedge after 5 ms');
  console.log(`   no hedging        p50 ${ms(a.p50)}  p99 ${ms(a.p99)}`);
  console.log(`   hedged            p50 ${ms(b.p50)}  p99 ${ms(b.p99)}   p99 ratio ${(b.p99 / a.p99).toFixed(2)}x (target <= 0.5x)`);
  farm.stop();
}

// 5. Load-aware balancing: four backends served by inmesh, one with its event loop busy 70% of
// the time. p2c-ewma with the servers' load reports folded in, and without (latency alone).
{
  const backends = await startMeshBackends([0, 0, 0, 0.7]);
  const services = { s: { endpoints: addr(backends.ports), tls: 'none' } };
  const share = (m) => {
    const eps = m.stats()[0].endpoints;
    const total = eps.reduce((n, e) => n + e.requests, 0);
    return (100 * eps[3].requests) / total;
  };
  let withShare = 0;
  let withoutShare = 0;
  const withReports = await withMesh(services, async (m) => {
    const r = await drive(m, 'http://s/');
    withShare = share(m);
    return r;
  });
  const without = await withMesh(
    services,
    async (m) => {
      const r = await drive(m, 'http://s/');
      withoutShare = share(m);
      return r;
    },
    { endpointStack: (st) => st.remove('load-report') },
  );
  console.log('5. one of four inmesh-served backends with its event loop 70% busy (load-aware p2c-ewma)');
  console.log(`   with load reports     busy one's share ${withShare.toFixed(1)}%   p50 ${ms(withReports.p50)}  p99 ${ms(withReports.p99)}`);
  console.log(`   latency alone         busy one's share ${withoutShare.toFixed(1)}%   p50 ${ms(without.p50)}  p99 ${ms(without.p99)}`);
  backends.stop();
}
