import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh, type Mesh, type ServiceStats } from '../index.js';
import { formatStatsTable } from './stats-table.js';
import { steeringClaim } from './steering-claim.js';
import { startDemoTracing, type DemoTracing } from './demo-tracing.js';

export interface DemoOptions {
  /** Calls to make (default 4000). */
  readonly requests?: number | undefined;
  /** Calls in flight at once (default 16). */
  readonly concurrency?: number | undefined;
  /** Stop making calls after this many seconds, requests left or not (default 20). */
  readonly seconds?: number | undefined;
}

/**
 * What the slow orders instance adds. Well above the few ms of scheduling delay that a busy
 * two-core machine adds to every call, so that the balancer can tell it apart.
 */
const SLOW_MS = 100;
/** Calls to the orders instances before the measured run: each pays for its connection set-up once. */
const WARM_UP_CALLS = 12;

interface Out {
  log(s: string): void;
  error(s: string): void;
}

interface Running {
  readonly address: string;
  /** The framework the example app uses (each is served by `mesh.serve`). */
  readonly kind: string;
  readonly protocols: readonly string[];
  readonly served: () => number;
  close(): Promise<unknown>;
}

function pctOf(ok: number, total: number): string {
  return total === 0 ? '-' : `${((100 * ok) / total).toFixed(2)}%`;
}

/** Retries sent to a destination, from the mesh's own metrics. */
async function retriesOf(mesh: Mesh, destination: string): Promise<number> {
  const metric = await mesh.metrics.getSingleMetric('inmesh_retries_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.destination_service === destination).reduce((n, v) => n + v.value, 0);
}

/** Example services live in examples/ (plain JS a reader can run alone); found relative to this file in src/ or dist/. */
const examples = new URL('../../examples/', import.meta.url);

/**
 * `inmesh demo`: example services on loopback, a `checkout` workload calling them through
 * the mesh, and a golden-metrics table. Bounded in requests and time; leaves nothing running.
 */
export async function runDemo(options: DemoOptions, out: Out): Promise<number> {
  const requests = options.requests ?? 4000;
  const concurrency = options.concurrency ?? 16;
  const maxSeconds = options.seconds ?? 20;
  const started: Running[] = [];
  let mesh: Mesh | undefined;
  let outsider: Mesh | undefined;
  let stopping = false;
  let tracing: DemoTracing | undefined;
  // The demo's own dev CA, so that it leaves no .inmesh/ behind in the directory it ran from.
  const identityDir = join(mkdtempSync(join(tmpdir(), 'inmesh-demo-')), 'ca');
  const identity = { mode: 'dev', dir: identityDir };
  const stop = async () => {
    stopping = true;
    await outsider?.close();
    await mesh?.close();
    await Promise.all(started.map((s) => s.close()));
    await tracing?.close();
    rmSync(join(identityDir, '..'), { recursive: true, force: true });
  };
  const onSignal = () => {
    out.log('\ninterrupted: stopping the example services');
    void stop().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // Before any workload starts, so every mesh of the demo sees the provider.
    tracing = await startDemoTracing();
    const { startOrders } = await import(new URL('orders.mjs', examples).href);
    const { startInventory } = await import(new URL('inventory.mjs', examples).href);
    const orders: Running[] = [];
    // Each example instance is a workload of its own, serving its app through mesh.serve.
    // Only checkout may call them: authorization by the SPIFFE ID each caller proves over mTLS.
    const callers = ['checkout'];
    for (const delayMs of [0, 0, SLOW_MS]) orders.push(await startOrders({ delayMs, identityDir, callers }));
    const inventory: Running[] = [];
    for (const failureRatio of [0, 0.1]) inventory.push(await startInventory({ failureRatio, identityDir, callers }));
    started.push(...orders, ...inventory);

    out.log('inmesh demo: a `checkout` workload calls two services through the mesh, in-process (no proxy hop).');
    out.log(`  orders    ${orders.map((s) => s.address).join('  ')}   (the last one adds ${SLOW_MS} ms; p2c peak-EWMA should send it fewer calls)`);
    out.log(`  inventory ${inventory.map((s) => s.address).join('  ')}   (the last one fails 10% with 503; round-robin; retries on 503 within a 20% budget)`);
    out.log(`  served by mesh.serve: orders as ${orders[0]!.kind} (${orders[0]!.protocols.join(', ')}), inventory as ${inventory[0]!.kind} (${inventory[0]!.protocols.join(', ')})`);

    const services = {
      orders: { endpoints: orders.map((s) => s.address), loadBalancer: 'p2c-ewma', timeout: '2s' },
      inventory: {
        endpoints: inventory.map((s) => s.address),
        loadBalancer: 'round-robin',
        timeout: '2s',
        // A GET that meets a 503 is tried again on another endpoint, within a budget of 20% extra load.
        retries: { attempts: 3, on: [503], budget: 0.2 },
      },
    };
    mesh = await createMesh({ service: 'checkout', watch: false, config: { mesh: 'demo', trustDomain: 'demo.local', admin: { port: 0 }, identity, services } });
    await mesh.ready();
    out.log(`  mTLS      every call between workloads: SPIFFE certificates from a dev CA (${identityDir}), renewed at half their life`);
    out.log(`  admin     ${mesh.admin?.url}/metrics`);
    // One call shown in full: checkout's 2 s timeout reaches the handler as its deadline (req.mesh),
    // and the server reports its load on the response (inmesh-load), which p2c weighs in.
    const m0 = mesh;
    const callOnce = async () => {
      const probe = await m0.request('http://orders/api/orders/1');
      return { status: probe.statusCode, body: await probe.body.text(), load: String(probe.headers['inmesh-load']) };
    };
    const shown = tracing ? await tracing.traced(callOnce) : undefined;
    const probe = shown ? shown.value : await callOnce();
    out.log(`  one call  GET http://orders/api/orders/1 -> ${probe.status} ${probe.body}  inmesh-load: ${probe.load}`);
    out.log(
      shown
        ? `  trace     ${shown.traceId}: ${shown.spans} spans across ${shown.services.join(' → ')} (the demo's own, the mesh call, its attempt, the server's)`
        : '  tracing   install @opentelemetry/api and @opentelemetry/sdk-trace-node, then telemetry.tracing.exporter: console prints every span',
    );
    // A workload of the mesh, with a valid certificate, that the policy does not name.
    outsider = await createMesh({ service: 'reporting', watch: false, config: { trustDomain: 'demo.local', identity, services: { orders: services.orders } } });
    const denied = await outsider.request('http://orders/api/orders/1');
    const deniedCode = /"code":"(\w+)"/.exec(await denied.body.text())?.[1];
    out.log(`  denied    reporting -> GET http://orders/api/orders/1 -> ${denied.statusCode} ${deniedCode} (authorization allows spiffe://demo.local/svc/checkout only)\n`);
    for (let i = 0; i < WARM_UP_CALLS; i++) await (await mesh.request(`http://orders/api/orders/warm-${i}`)).body.dump();

    const t0 = performance.now();
    const deadline = t0 + maxSeconds * 1000;
    let next = 0;
    let errors = 0;
    const m = mesh;
    const worker = async () => {
      while (!stopping && next < requests && performance.now() < deadline) {
        const i = next++;
        const url = i % 2 === 0 ? `http://orders/api/orders/${i}` : `http://inventory/api/stock/${i}`;
        try {
          const res = await m.request(url);
          await res.body.dump();
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    if (stopping) return 130;

    const stats: readonly ServiceStats[] = mesh.stats().outbound;
    out.log(formatStatsTable(stats, seconds));
    out.log(`\n${next} calls in ${seconds.toFixed(2)} s at concurrency ${concurrency}; ${errors} raised an error.`);
    const retries = await retriesOf(mesh, 'inventory');
    const inv = stats.find((s) => s.service === 'inventory');
    if (inv) {
      const attempts = inv.endpoints.reduce((n, e) => n + e.requests, 0);
      out.log(`inventory: callers saw ${pctOf(inv.requests - inv.failures, inv.requests)} success over ${inv.requests} calls; the endpoints saw ${attempts} attempts (${retries} retries after a 503 went to the other endpoint).`);
    }
    out.log(steeringClaim(stats.find((s) => s.service === 'orders'), orders[orders.length - 1]!.address, SLOW_MS));
    out.log(`served (server side): orders ${orders.map((s) => s.served()).join(' / ')}, inventory ${inventory.map((s) => s.served()).join(' / ')}`);
    const t1 = performance.now();
    await stop();
    out.log(`stopped: checkout closed, then each service drained (in-flight requests finished) in ${(performance.now() - t1).toFixed(0)} ms.`);
    return 0;
  } catch (err) {
    out.error(`inmesh demo failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (!stopping) await stop();
  }
}
