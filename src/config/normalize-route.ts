import { DEFAULT_BACKEND_WEIGHT, DEFAULT_FAULT_PERCENT, DEFAULT_HEDGE_MAX_ATTEMPTS, DEFAULT_MIRROR_PERCENT } from './defaults.js';
import { parseDuration } from './duration.js';
import type { IssueList, PathKey } from './key-path.js';
import { normalizeRouteMatch } from './normalize-match.js';
import { mergeRetries } from './normalize-retries.js';
import type { RawRoute } from './schema-route.js';
import type { Backend, FaultConfig, RetryConfig, RouteConfig } from './types.js';

/** RFC 9110 idempotent methods: the only ones the mesh may send twice without being told to. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** What a route needs to know about its service. */
export interface RouteContext {
  readonly retries: RetryConfig;
  readonly subsets: ReadonlySet<string>;
  readonly timeout: number | undefined;
}

export function normalizeRoute(raw: RawRoute, index: number, svc: RouteContext, issues: IssueList, path: readonly PathKey[]): RouteConfig {
  const match = normalizeRouteMatch(raw.match, issues, [...path, 'match']);
  const nonIdempotent = match.methods?.filter((m) => !IDEMPOTENT_METHODS.has(m)) ?? [];

  const checkSubset = (subset: string | undefined, at: readonly PathKey[]): void => {
    if (subset === undefined || svc.subsets.has(subset)) return;
    const known = svc.subsets.size > 0 ? ` (defined: ${[...svc.subsets].join(', ')})` : '';
    issues.add(at, `subset '${subset}' is not defined: add it under subsets:, or give a static endpoint the label version: ${subset}${known}`);
  };

  const backends = normalizeBackends(raw, issues, path);
  backends.forEach((b, i) => checkSubset(b.subset, [...path, 'backends', i, 'subset']));
  if (raw.mirror) checkSubset(raw.mirror.subset, [...path, 'mirror', 'subset']);

  let retries: RetryConfig | undefined;
  if (raw.retries !== undefined || raw.retryNonIdempotent !== undefined) {
    retries = mergeRetries(svc.retries, raw.retries, raw.retryNonIdempotent, issues, path);
    if (raw.retries && retries.attempts > 1 && nonIdempotent.length > 0 && !retries.retryNonIdempotent) {
      const at = raw.retries.attempts === undefined ? [...path, 'retries'] : [...path, 'retries', 'attempts'];
      issues.add(at, `retries (${retries.attempts} attempts) on a route that matches ${nonIdempotent.join(', ')}: set retryNonIdempotent: true if replaying it is safe`);
    }
  }

  // A hedge sends a second copy while the first may still succeed: only for methods that say it is harmless.
  if (raw.hedge && (match.methods === undefined || nonIdempotent.length > 0)) {
    const why = match.methods === undefined ? 'the route matches every method' : `the route matches ${nonIdempotent.join(', ')}`;
    issues.add([...path, 'hedge'], `hedging is only for idempotent requests, but ${why}: list idempotent methods under match.methods`, 'key');
  }

  const timeout = raw.timeout === undefined ? undefined : parseDuration(raw.timeout);
  const perTryTimeout = raw.perTryTimeout === undefined ? undefined : parseDuration(raw.perTryTimeout);
  const total = timeout ?? svc.timeout;
  if (perTryTimeout !== undefined && total !== undefined && perTryTimeout > total) {
    issues.add([...path, 'perTryTimeout'], `perTryTimeout (${perTryTimeout}ms) is longer than the timeout (${total}ms), so no retry could run`);
  }

  return {
    name: raw.name ?? `route-${index}`,
    match,
    backends,
    timeout,
    perTryTimeout,
    retries,
    fault: normalizeFault(raw.fault),
    hedge: raw.hedge ? { delay: parseDuration(raw.hedge.delay), maxAttempts: raw.hedge.maxAttempts ?? DEFAULT_HEDGE_MAX_ATTEMPTS } : undefined,
    mirror: raw.mirror ? { subset: raw.mirror.subset, percent: raw.mirror.percent ?? DEFAULT_MIRROR_PERCENT } : undefined,
  };
}

/** One backend may omit its weight (it takes everything); several must each give one, adding up to 100. */
function normalizeBackends(raw: RawRoute, issues: IssueList, path: readonly PathKey[]): Backend[] {
  const list = raw.backends ?? [{}];
  if (list.length === 1) {
    const only = list[0]!;
    if (only.weight !== undefined && only.weight !== 100) {
      issues.add([...path, 'backends', 0, 'weight'], `a route's only backend takes all its traffic: weight must be 100 or left out, got ${only.weight}`);
    }
    return [{ subset: only.subset, weight: DEFAULT_BACKEND_WEIGHT }];
  }
  let missing = false;
  const seen = new Map<string, number>();
  list.forEach((b, i) => {
    if (b.weight === undefined) {
      missing = true;
      issues.add([...path, 'backends', i], 'a weight is needed when a route has several backends', 'key');
    }
    const key = b.subset ?? '(all endpoints)';
    if (seen.has(key)) issues.add([...path, 'backends', i, 'subset'], `subset '${key}' is already backends[${seen.get(key)}] of this route`);
    else seen.set(key, i);
  });
  const sum = list.reduce((s, b) => s + (b.weight ?? 0), 0);
  if (!missing && Math.abs(sum - 100) > 1e-9) issues.add([...path, 'backends'], `backend weights add up to ${sum}, not 100`);
  return list.map((b) => ({ subset: b.subset, weight: b.weight ?? 0 }));
}

function normalizeFault(raw: RawRoute['fault']): FaultConfig | undefined {
  if (!raw) return undefined;
  return {
    delay: raw.delay ? { percent: raw.delay.percent ?? DEFAULT_FAULT_PERCENT, duration: parseDuration(raw.delay.duration) } : undefined,
    abort: raw.abort ? { percent: raw.abort.percent ?? DEFAULT_FAULT_PERCENT, status: raw.abort.status } : undefined,
  };
}
