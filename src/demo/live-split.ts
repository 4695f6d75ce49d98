import type { ConfigSnapshot, Mesh } from '../index.js';
import { runCalls } from './call-load.js';
import type { DemoDaemon } from './demo-daemon.js';
import { demoMeshYaml, type OrdersSplit } from './demo-mesh-yaml.js';
import { attemptsByVersion, countsSince, formatSplit, splitClaim, type VersionCounts } from './split-claim.js';

export interface LiveSplitOptions {
  /** checkout's mesh. */
  readonly mesh: Mesh;
  readonly daemon: DemoDaemon;
  /** Starts the orders v2 instance (it registers through the daemon); its address. */
  readonly startV2: () => Promise<string>;
  readonly from: OrdersSplit;
  readonly to: OrdersSplit;
  /** Orders calls measured before and again after the change. */
  readonly calls: number;
  readonly concurrency: number;
  readonly stopping: () => boolean;
  readonly log: (s: string) => void;
}

/** Longer than a blocking query takes to answer a change on a busy machine; a bound, not a wait. */
const SEEN_WITHIN_MS = 5000;

function ordersStats(mesh: Mesh) {
  return mesh.stats().outbound.find((s) => s.service === 'orders');
}

/** Resolves with the milliseconds `check` took to become true (checked every 5 ms), or rejects after SEEN_WITHIN_MS. */
async function within(what: string, check: () => boolean): Promise<number> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > SEEN_WITHIN_MS) throw new Error(`${what} did not happen within ${SEEN_WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}

const shown = (s: OrdersSplit) => `${s.v1}/${s.v2}`;

const v2WeightOf = (s: ConfigSnapshot) => s.config.services.orders?.routes.find((r) => r.name === 'split')?.backends.find((b) => b.subset === 'v2')?.weight;

/**
 * The daemon as the mesh's source of truth, live: a new orders version registers and checkout's
 * endpoint set has it at once (its weight of 0 keeps it out of traffic); then a new split is
 * applied to the daemon and checkout's calls follow it. The split is measured before and after
 * and claimed only as measured.
 */
export async function showLiveSplit(o: LiveSplitOptions): Promise<void> {
  const { mesh, log } = o;
  const measure = async (): Promise<VersionCounts> => {
    const before = attemptsByVersion(ordersStats(mesh));
    await runCalls(mesh, { calls: o.calls, concurrency: o.concurrency, url: (i) => `http://orders/api/orders/split-${i}`, stop: o.stopping });
    return countsSince(before, attemptsByVersion(ordersStats(mesh)));
  };

  log(`\nlive: orders v2 joins through the registry, then a split applied to the daemon moves checkout's orders calls from ${shown(o.from)} to ${shown(o.to)} (v1/v2)`);
  const t0 = performance.now();
  const v2 = await o.startV2();
  await within('orders v2 in checkout\'s endpoint set', () => ordersStats(mesh)?.endpoints.some((e) => e.address === v2) ?? false);
  log(`  registry  orders v2 ${v2} registered by mesh.serve; in checkout's endpoint set ${(performance.now() - t0).toFixed(0)} ms after it started (weight 0: no calls yet)`);
  const before = await measure();
  log(`  before    ${formatSplit(before)}`);

  let inForce: ConfigSnapshot | undefined;
  const unwatch = mesh.onConfig((s) => {
    if (v2WeightOf(s) === o.to.v2) inForce = s;
  });
  const applied = performance.now();
  let version: number;
  try {
    version = await o.daemon.apply(demoMeshYaml(o.daemon.url, o.to));
    await within('the new split in checkout\'s configuration', () => inForce !== undefined);
  } finally {
    unwatch();
  }
  const tookMs = performance.now() - applied;
  log(`  apply     PUT ${o.daemon.url}/v1/config (what inmesh apply -f sends): config version ${version}, split ${shown(o.to)}; in force at checkout ${tookMs.toFixed(0)} ms later`);
  const after = await measure();
  log(`  after     ${formatSplit(after)}`);
  log(splitClaim(before, after, o.from, o.to));
}
