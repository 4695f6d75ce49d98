import type { Zod } from './zod-library.js';
import { DURATION_HINT, DURATION_PATTERN, formatDuration, tryParseDuration } from './duration.js';

/**
 * Leaf schemas shared by the mesh.yaml schema, built on demand by buildMeshSchema. They only validate (no transforms), so that
 * `z.toJSONSchema` can describe the raw file for editors; normalisation converts afterwards.
 */

/** DNS names: lowercase labels of letters, digits and '-', joined by '.'. Services are called by these names. */
export const NAME_PATTERN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Node timers take at most 2^31-1 ms (about 24.8 days); a longer delay silently becomes 1 ms. */
export const TIMER_MAX_MS = 2 ** 31 - 1;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Marks the refinement whose issue schema-issues.ts rewords with the key, the limit and the value. */
export const DURATION_BOUND = 'inmesh.durationBound';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT'] as const;

export function buildSchemaParts(z: Zod) {
  const serviceName = z
    .string()
    .regex(NAME_PATTERN, { error: (iss) => `invalid service name ${JSON.stringify(iss.input)}: use a DNS name (lowercase letters, digits, '-' and '.')` });

  /** Subset and route names end up in metric labels: keep them to a safe alphabet. */
  const shortName = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { error: (iss) => `invalid name ${JSON.stringify(iss.input)}: use letters, digits, '_', '.' and '-'` });

  /**
   * A duration key of mesh.yaml: `'250ms'`, `'2s'`, `'1m'`, `'1h'` or a number of milliseconds, at most
   * `max` (24h unless the key needs less; never near TIMER_MAX_MS), and longer than zero when `positive`
   * (timeouts, intervals: a zero timeout would fail every call). Every duration key uses this, so each
   * one is bounded and reports the same way: `timeout must be at most 24h, got 720h`.
   */
  function boundedDuration(o: { readonly max?: number; readonly positive?: boolean } = {}) {
    const max = o.max ?? DAY_MS;
    if (max > TIMER_MAX_MS / 2) throw new RangeError(`a duration bound of ${max} ms is too close to the timer limit`);
    const base = z
      .union([z.number().nonnegative(), z.string().regex(DURATION_PATTERN, { error: (iss) => `invalid duration ${JSON.stringify(iss.input)}: ${DURATION_HINT}` })])
      .describe(`A duration: '250ms', '2s', '1.5s', '1m', '1h', or a number of milliseconds; at most ${formatDuration(max)}.`);
    // zod runs refinements after a non-fatal format issue too: stay quiet about values that are not durations.
    const bounded = base.refine((v) => (tryParseDuration(v) ?? 0) <= max, { error: `must be at most ${formatDuration(max)}`, params: { [DURATION_BOUND]: max } });
    return o.positive ? bounded.refine((v) => (tryParseDuration(v) ?? 1) > 0, { error: 'must be longer than 0' }) : bounded;
  }

  /** A duration that may be 0 (a delay, a backoff cap), at most 24h. */
  const duration = boundedDuration();

  /** A duration that must be longer than zero (timeouts, intervals), at most 24h. */
  const positiveDuration = boundedDuration({ positive: true });

  /** Knobs whose useful range is seconds to minutes (delays, backoffs, averaging windows): at most 1h. */
  const shortDuration = boundedDuration({ max: HOUR_MS });
  const shortPositiveDuration = boundedDuration({ max: HOUR_MS, positive: true });

  const percent = z
    .number()
    .min(0, { error: (iss) => `must be a percentage from 0 to 100, got ${String(iss.input)}` })
    .max(100, { error: (iss) => `must be a percentage from 0 to 100, got ${String(iss.input)}` });

  const ratio = (what: string) =>
    z
      .number()
      .min(0, { error: (iss) => `${what} must be from 0 to 1, got ${String(iss.input)}` })
      .max(1, { error: (iss) => `${what} must be from 0 to 1, got ${String(iss.input)}` });

  const count = (min: number, max = Number.MAX_SAFE_INTEGER) =>
    z.int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

  /** 0 asks the OS for a free port. */
  const listenPort = count(0, 65_535);

  const httpUrl = z.url({ protocol: /^https?$/, error: (iss) => `invalid URL ${JSON.stringify(iss.input)}: expected http:// or https://` });

  /** Label values are strings; numbers and booleans are accepted so that `version: 2` need not be quoted. */
  const labels = z.record(
    z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9_./-]{0,252})$/, { error: (iss) => `invalid label name ${JSON.stringify(iss.input)}` }),
    z.union([z.string(), z.number(), z.boolean()]),
  );

  const httpMethod = z.enum(HTTP_METHODS);

  /** RFC 9110 header field names (tchar); matched case-insensitively. */
  const headerName = z
    .string()
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: (iss) => `invalid header name ${JSON.stringify(iss.input)}` });
  return { serviceName, shortName, boundedDuration, duration, positiveDuration, shortDuration, shortPositiveDuration, percent, ratio, count, listenPort, httpUrl, labels, httpMethod, headerName };
}

export type SchemaParts = ReturnType<typeof buildSchemaParts>;
