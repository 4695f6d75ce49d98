import { parseDuration } from './duration.js';
import type { IssueList, PathKey } from './key-path.js';
import type { RawRetries } from './schema-retries.js';
import type { RetryConfig } from './types.js';

/**
 * Lays a mesh.yaml `retries` block over a base policy (the defaults for a service, the service's
 * policy for a route): each key given replaces the base's, so a route can change one knob.
 */
export function mergeRetries(
  base: RetryConfig,
  raw: RawRetries | undefined,
  retryNonIdempotent: boolean | undefined,
  issues: IssueList,
  path: readonly PathKey[],
): RetryConfig {
  const r = raw ?? {};
  const baseMs = r.backoff?.base === undefined ? base.backoff.base : parseDuration(r.backoff.base);
  // An explicit max shorter than base is a mistake; an inherited one just grows to fit.
  let maxMs = r.backoff?.max === undefined ? Math.max(base.backoff.max, baseMs) : parseDuration(r.backoff.max);
  if (maxMs < baseMs) {
    issues.add([...path, 'retries', 'backoff', 'max'], `backoff max (${maxMs}ms) is shorter than base (${baseMs}ms)`);
    maxMs = baseMs;
  }
  return {
    attempts: r.attempts ?? base.attempts,
    budget: r.budget ?? base.budget,
    minRetriesPerSecond: r.minRetriesPerSecond ?? base.minRetriesPerSecond,
    on: r.on ? [...new Set(r.on)] : base.on,
    backoff: { base: baseMs, max: maxMs },
    retryNonIdempotent: retryNonIdempotent ?? r.retryNonIdempotent ?? base.retryNonIdempotent,
    maxBodyBytes: r.maxBodyBytes ?? base.maxBodyBytes,
  };
}
