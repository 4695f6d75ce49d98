import { WindowTotals, type LatencySummary, type MeshMetrics, type SlidingWindow, type StatsWindows, type WindowFigures } from './telemetry/index.js';
import type { MeshClient } from './client/mesh-client.js';

/**
 * Golden metrics over the sliding window (`telemetry.stats.window`, default 60 s): requests,
 * failures (an error, or a 5xx), success rate (0 to 1; NaN with no request), requests per second
 * over the time the window covers (a mesh younger than its window divides by its age, at least
 * 1 s), and p50/p95/p99 latency in seconds (NaN with no request).
 */
export type WindowStats = WindowFigures;

/** One configured route of a destination (`default` for the route that takes what no other matches). */
export interface RouteStats extends WindowStats {
  readonly route: string;
}

/**
 * One endpoint of a destination: its attempts since the mesh started (retries each count), from
 * the Prometheus histograms, as `mesh.stats()` has always given them.
 */
export interface EndpointStats extends LatencySummary {
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly pending: number;
}

/** One destination: its logical calls as callers saw them (retries included), per route and in all. */
export interface ServiceStats extends WindowStats {
  readonly service: string;
  readonly routes: readonly RouteStats[];
  readonly endpoints: readonly EndpointStats[];
}

/** One route this workload serves (`''` when the framework gave no route template). */
export interface ServedRouteStats extends WindowStats {
  readonly service: string;
  readonly route: string;
}

/** What `mesh.stats()` returns: `linkerd viz stat` for this workload, in process. */
export interface MeshStats {
  readonly windowSeconds: number;
  readonly outbound: readonly ServiceStats[];
  readonly inbound: readonly ServedRouteStats[];
}

const NO_CALLS: LatencySummary = Object.freeze({ requests: 0, failures: 0, p50: NaN, p90: NaN, p95: NaN, p99: NaN });

/** Reads every window once, now. */
export function collectStats(client: MeshClient, windows: StatsWindows, metrics: MeshMetrics): MeshStats {
  const perEndpoint = metrics.endpointSummary();
  const outbound = [...client.destinations.values()].map((d): ServiceStats => {
    const byRoute = windows.outboundRoutes(d.name);
    const total = new WindowTotals();
    const routes: RouteStats[] = [];
    const configured = new Set<string>();
    for (const r of d.routes) {
      configured.add(r.name);
      routes.push({ route: r.name, ...figuresInto(byRoute.get(r.name), total) });
    }
    // A route a reload removed still counts while its calls are in the window.
    for (const [name, w] of byRoute) {
      if (configured.has(name)) continue;
      const f = figuresInto(w, total);
      if (f.requests > 0) routes.push({ route: name, ...f });
    }
    const eps = perEndpoint.get(d.name);
    return {
      service: d.name,
      ...total.figures(),
      routes,
      endpoints: d.endpoints.map((e) => ({ address: e.address, labels: e.labels, pending: e.pending(), ...(eps?.get(e.address) ?? NO_CALLS) })),
    };
  });
  const inbound: ServedRouteStats[] = [];
  for (const [service, byRoute] of windows.inboundServices()) for (const [route, w] of byRoute) inbound.push({ service, route, ...w.figures() });
  return { windowSeconds: windows.windowMs / 1000, outbound, inbound };
}

/** One window's figures, also added into `total`; a route never called yet has an empty one. */
function figuresInto(w: SlidingWindow | undefined, total: WindowTotals): WindowFigures {
  if (w === undefined) return new WindowTotals().figures();
  w.addTo(total);
  return w.figures();
}
