import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh, type Mesh, type ServiceStats } from '../index.js';
import { runCalls } from './call-load.js';
import { startDemoDaemon, type DemoDaemon } from './demo-daemon.js';
import { demoLogger } from './demo-logger.js';
import { demoMeshYaml, type OrdersSplit } from './demo-mesh-yaml.js';
import { startDemoTracing, type DemoTracing } from './demo-tracing.js';
import { showLiveSplit } from './live-split.js';
import { formatStatsTable } from './stats-table.js';
import { steeringClaim } from './steering-claim.js';

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
/** The orders split the daemon serves at first, and the one the demo applies while checkout is calling. */
const SPLIT_BEFORE: OrdersSplit = { v1: 100, v2: 0 };
const SPLIT_AFTER: OrdersSplit = { v1: 50, v2: 50 };
/** Orders calls measured before and after the change: enough that four standard deviations of a 50% share are ±14%. */
const SPLIT_CALLS = 200;

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

/** How many endpoints of `service` the mesh has, e.g. `3 endpoints`. */
function endpointsOf(mesh: Mesh, service: string): string {
  const n = mesh.stats().outbound.find((s) => s.service === service)?.endpoints.length ?? 0;
  return `${n} endpoint${n === 1 ? '' : 's'}`;
}

/** Example services live in examples/ (plain JS a reader can run alone); found relative to this file in src/ or dist/. */
const examples = new URL('../../examples/', import.meta.url);

/**
 * `inmesh demo`: the control daemon and example services on loopback, a `checkout` workload
 * calling them through the mesh (endpoints from the daemon's registry), a golden-metrics table,
 * and a traffic split changed live on the daemon. Bounded in requests and time; leaves nothing running.
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
  // The daemon's store, its CA, the workloads' caches: one directory of the demo's own, so that it
  // leaves no .inmesh/ behind in the directory it ran from.
  const dir = mkdtempSync(join(tmpdir(), 'inmesh-demo-'));
  let daemonStarting: Promise<DemoDaemon> | undefined;
  const stop = async () => {
    stopping = true;
    await outsider?.close();
    await mesh?.close();
    // Before the daemon: each instance deregisters as it drains.
    await Promise.all(started.map((s) => s.close()));
    await tracing?.close();
    await daemonStarting?.then((d) => d.close(), () => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    out.log('\ninterrupted: stopping the example services and the control daemon');
    void stop().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // The daemon starts (a process of its own) while the tracer and the examples load.
    daemonStarting = startDemoDaemon(join(dir, 'daemon'), (url) => demoMeshYaml(url, SPLIT_BEFORE));
    daemonStarting.catch(() => undefined);
    // Before any workload starts, so every mesh of the demo sees the provider.
    tracing = await startDemoTracing();
    const { startOrders } = await import(new URL('orders.mjs', examples).href);
    const { startInventory } = await import(new URL('inventory.mjs', examples).href);
    const daemon = await daemonStarting;
    const tokens = new Map(await Promise.all(['orders', 'inventory', 'checkout', 'reporting'].map(async (s) => [s, await daemon.joinToken(s)] as const)));
    const logger = demoLogger(() => interrupted);
    let workloads = 0;
    // What makes a workload part of the daemon's mesh: config, registry and its certificate from it.
    const fromDaemon = (service: string, version?: string) => ({
      control: { url: daemon.url, caFile: daemon.caFile, cacheDir: join(dir, 'cache', String(workloads++)), ...(version && { instance: { version } }) },
      identity: { mode: 'control', token: tokens.get(service) },
    });
    // Each example instance is a workload of its own, serving its app through mesh.serve, which
    // registers it with the daemon. Only checkout may call them: authorization by the SPIFFE ID each
    // caller proves over mTLS.
    const callers = ['checkout'];
    // Started together; each is in `started` as soon as it runs, so that a failure of another stops it too.
    const running = (s: Promise<Running>) => s.then((r) => (started.push(r), r));
    const [orders, inventory] = await Promise.all([
      Promise.all([0, 0, SLOW_MS].map((delayMs) => running(startOrders({ delayMs, callers, logger, config: fromDaemon('orders', 'v1') })))),
      Promise.all([0, 0.1].map((failureRatio) => running(startInventory({ failureRatio, callers, logger, config: fromDaemon('inventory') })))),
    ]);

    out.log('inmesh demo: a `checkout` workload calls two services through the mesh, in-process (no proxy hop); inmesh control serves their config, registry and certificates.');
    out.log(`  orders    ${orders.map((s) => s.address).join('  ')}   (the last one adds ${SLOW_MS} ms; p2c peak-EWMA should send it fewer calls)`);
    out.log(`  inventory ${inventory.map((s) => s.address).join('  ')}   (the last one fails 10% with 503; round-robin; retries on 503 within a 20% budget)`);
    out.log(`  served by mesh.serve: orders as ${orders[0]!.kind} (${orders[0]!.protocols.join(', ')}), inventory as ${inventory[0]!.kind} (${inventory[0]!.protocols.join(', ')})`);

    // checkout's own config names no service: the daemon's mesh.yaml does, and its registry has the endpoints.
    mesh = await createMesh({ service: 'checkout', watch: false, logger, config: { trustDomain: 'demo.local', admin: { port: 0 }, ...fromDaemon('checkout') } });
    await mesh.ready();
    const registered = await Promise.all(['orders', 'inventory'].map(async (s) => `${s} ${(await daemon.instances(s)).length}`));
    out.log(`  control   inmesh control at ${daemon.url}: mesh.yaml, the registry (${registered.join(', ')} instances, registered by mesh.serve), certificates`);
    out.log(`  discovery checkout found orders at ${endpointsOf(mesh, 'orders')} and inventory at ${endpointsOf(mesh, 'inventory')} in the registry (discovery: { control: true })`);
    out.log(`  mTLS      every call between workloads: SPIFFE certificates from the daemon's CA for join tokens (state in ${dir}), renewed at half their life`);
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
    outsider = await createMesh({ service: 'reporting', watch: false, logger, config: { trustDomain: 'demo.local', ...fromDaemon('reporting') } });
    await outsider.ready();
    const denied = await outsider.request('http://orders/api/orders/1');
    const deniedCode = /"code":"(\w+)"/.exec(await denied.body.text())?.[1];
    out.log(`  denied    reporting -> GET http://orders/api/orders/1 -> ${denied.statusCode} ${deniedCode} (authorization allows spiffe://demo.local/svc/checkout only)\n`);
    for (let i = 0; i < WARM_UP_CALLS; i++) await (await mesh.request(`http://orders/api/orders/warm-${i}`)).body.dump();

    const t0 = performance.now();
    const deadline = t0 + maxSeconds * 1000;
    const { made, errors } = await runCalls(mesh, {
      calls: requests,
      concurrency,
      url: (i) => (i % 2 === 0 ? `http://orders/api/orders/${i}` : `http://inventory/api/stock/${i}`),
      stop: () => stopping || performance.now() >= deadline,
    });
    const seconds = (performance.now() - t0) / 1000;
    if (stopping) return 130;

    const stats: readonly ServiceStats[] = mesh.stats().outbound;
    out.log(formatStatsTable(stats, seconds));
    out.log(`\n${made} calls in ${seconds.toFixed(2)} s at concurrency ${concurrency}; ${errors} raised an error.`);
    const retries = await retriesOf(mesh, 'inventory');
    const inv = stats.find((s) => s.service === 'inventory');
    if (inv) {
      const attempts = inv.endpoints.reduce((n, e) => n + e.requests, 0);
      out.log(`inventory: callers saw ${pctOf(inv.requests - inv.failures, inv.requests)} success over ${inv.requests} calls; the endpoints saw ${attempts} attempts (${retries} retries after a 503 went to the other endpoint).`);
    }
    out.log(steeringClaim(stats.find((s) => s.service === 'orders'), orders[orders.length - 1]!.address, SLOW_MS));
    out.log(`served (server side): orders ${orders.map((s) => s.served()).join(' / ')}, inventory ${inventory.map((s) => s.served()).join(' / ')}`);

    await showLiveSplit({
      mesh,
      daemon,
      startV2: async () => (await running(startOrders({ callers, logger, config: fromDaemon('orders', 'v2') }))).address,
      from: SPLIT_BEFORE,
      to: SPLIT_AFTER,
      calls: SPLIT_CALLS,
      concurrency,
      stopping: () => stopping,
      log: (line) => out.log(line),
    });
    if (stopping) return 130;
    const t1 = performance.now();
    await stop();
    out.log(`stopped: checkout closed, then each service drained (in-flight requests finished) and deregistered, then the daemon, in ${(performance.now() - t1).toFixed(0)} ms.`);
    return 0;
  } catch (err) {
    // A call cut short by Ctrl-C is not a failure of the demo.
    if (stopping) return 130;
    out.error(`inmesh demo failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (!stopping) await stop();
  }
}
