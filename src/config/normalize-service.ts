import {
  DEFAULT_CIRCUIT_BREAKER,
  DEFAULT_CONNECTIONS_PER_ENDPOINT,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_LOAD_BALANCER,
  DEFAULT_MAX_PENDING,
  DEFAULT_OUTLIER_DETECTION,
  DEFAULT_RETRIES,
  DEFAULT_TLS,
} from './defaults.js';
import { dataRecord } from './data-record.js';
import { parseDuration } from './duration.js';
import { normalizeDiscovery, stringLabels } from './normalize-discovery.js';
import { mergeRetries } from './normalize-retries.js';
import { normalizeRoute } from './normalize-route.js';
import type { IssueList, PathKey } from './key-path.js';
import type { RawService } from './schema-service.js';
import type { BalancerConfig, OutlierDetectionConfig, ServiceConfig } from './types.js';

/** What a service needs to know about the rest of the file. */
export interface ServiceContext {
  readonly hasControl: boolean;
}

/**
 * One mesh.yaml service → ServiceConfig, with defaults applied and its cross-field rules checked.
 *
 * Subsets are named in `subsets:` (name → labels) or implicitly by a static endpoint whose `version`
 * label equals the name; implicit ones appear in the result as `{ version: <name> }`, so the balancer
 * sees a single definition.
 */
export function normalizeService(name: string, raw: RawService, ctx: ServiceContext, issues: IssueList): ServiceConfig {
  const path: PathKey[] = ['services', name];
  const discovery = normalizeDiscovery(raw, ctx, issues, path);

  const subsets = dataRecord<Record<string, string>>();
  for (const [subset, labels] of Object.entries(raw.subsets ?? {})) {
    if (Object.keys(labels).length === 0) issues.add([...path, 'subsets', subset], 'a subset needs at least one label (an empty one would match every endpoint)');
    subsets[subset] = stringLabels(labels);
  }
  if (discovery.kind === 'static') {
    for (const ep of discovery.endpoints) {
      const version = ep.labels['version'];
      if (version !== undefined && !Object.hasOwn(subsets, version)) subsets[version] = { version };
    }
  }

  const timeout = raw.timeout === undefined ? undefined : parseDuration(raw.timeout);
  const perTryTimeout = raw.perTryTimeout === undefined ? undefined : parseDuration(raw.perTryTimeout);
  if (perTryTimeout !== undefined && timeout !== undefined && perTryTimeout > timeout) {
    issues.add([...path, 'perTryTimeout'], `perTryTimeout (${perTryTimeout}ms) is longer than the timeout (${timeout}ms), so no retry could run`);
  }

  const retries = mergeRetries(DEFAULT_RETRIES, raw.retries, undefined, issues, path);
  const routeCtx = { retries, subsets: new Set(Object.keys(subsets)), timeout };
  const routeNames = new Map<string, number>();
  const routes = (raw.routes ?? []).map((r, i) => {
    const route = normalizeRoute(r, i, routeCtx, issues, [...path, 'routes', i]);
    const earlier = routeNames.get(route.name);
    if (earlier !== undefined) issues.add([...path, 'routes', i, 'name'], `route name '${route.name}' is already used by routes[${earlier}]`);
    routeNames.set(route.name, i);
    return route;
  });

  return {
    name,
    discovery,
    tls: raw.tls ?? DEFAULT_TLS,
    loadBalancer: normalizeBalancer(raw.loadBalancer, issues, [...path, 'loadBalancer']),
    timeout,
    perTryTimeout,
    retries,
    circuitBreaker: raw.circuitBreaker
      ? {
          errorThresholdPercentage: raw.circuitBreaker.errorThresholdPercentage ?? DEFAULT_CIRCUIT_BREAKER.errorThresholdPercentage,
          volumeThreshold: raw.circuitBreaker.volumeThreshold ?? DEFAULT_CIRCUIT_BREAKER.volumeThreshold,
          resetTimeout: ms(raw.circuitBreaker.resetTimeout) ?? DEFAULT_CIRCUIT_BREAKER.resetTimeout,
          rollingCountTimeout: ms(raw.circuitBreaker.rollingCountTimeout) ?? DEFAULT_CIRCUIT_BREAKER.rollingCountTimeout,
        }
      : undefined,
    outlierDetection: normalizeOutlier(raw.outlierDetection),
    concurrency: raw.concurrency ? { maxInFlight: raw.concurrency.maxInFlight, maxPending: raw.concurrency.maxPending ?? DEFAULT_MAX_PENDING } : undefined,
    subsets,
    routes,
    connections: raw.connections ?? DEFAULT_CONNECTIONS_PER_ENDPOINT,
    http2: raw.http2 ?? false,
    idleTimeout: ms(raw.idleTimeout) ?? DEFAULT_IDLE_TIMEOUT_MS,
  };
}

function normalizeBalancer(raw: RawService['loadBalancer'], issues: IssueList, path: readonly PathKey[]): BalancerConfig {
  if (raw === undefined) return DEFAULT_LOAD_BALANCER;
  if (typeof raw === 'string') return { ...DEFAULT_LOAD_BALANCER, kind: raw };
  const kind = raw.kind ?? DEFAULT_LOAD_BALANCER.kind;
  // Knobs of another balancer are almost always a forgotten `kind:`; say so rather than ignore them.
  if (kind !== 'ring-hash') {
    for (const key of ['hashHeader', 'virtualNodes'] as const) if (raw[key] !== undefined) issues.add([...path, key], `${key} applies to kind: ring-hash, not ${kind}`, 'key');
  }
  if (kind !== 'p2c-ewma' && raw.decay !== undefined) issues.add([...path, 'decay'], `decay applies to kind: p2c-ewma, not ${kind}`, 'key');
  return {
    kind,
    hashHeader: raw.hashHeader?.toLowerCase(),
    virtualNodes: raw.virtualNodes ?? DEFAULT_LOAD_BALANCER.virtualNodes,
    decay: ms(raw.decay) ?? DEFAULT_LOAD_BALANCER.decay,
  };
}

function ms(v: string | number | undefined): number | undefined {
  return v === undefined ? undefined : parseDuration(v);
}

/**
 * Outlier detection is on unless `outlierDetection: false`: without it a dead endpoint, which
 * refuses connections in microseconds, looks like the fastest one to peak-EWMA and draws
 * traffic (Finagle and Linkerd keep failure accrual on by default for the same reason).
 */
function normalizeOutlier(raw: RawService['outlierDetection']): OutlierDetectionConfig | undefined {
  if (raw === false) return undefined;
  if (raw === undefined) return DEFAULT_OUTLIER_DETECTION;
  const d = DEFAULT_OUTLIER_DETECTION;
  return {
    consecutive5xx: raw.consecutive5xx ?? d.consecutive5xx,
    consecutiveConnectFailures: raw.consecutiveConnectFailures ?? d.consecutiveConnectFailures,
    interval: ms(raw.interval) ?? d.interval,
    baseEjectionTime: ms(raw.baseEjectionTime) ?? d.baseEjectionTime,
    maxEjectionPercent: raw.maxEjectionPercent ?? d.maxEjectionPercent,
    successRateStdevFactor: raw.successRateStdevFactor ?? d.successRateStdevFactor,
    successRateMinimumHosts: raw.successRateMinimumHosts ?? d.successRateMinimumHosts,
    successRateRequestVolume: raw.successRateRequestVolume ?? d.successRateRequestVolume,
  };
}
