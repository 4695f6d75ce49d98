import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN, tryParseDuration } from './duration.js';

/**
 * Leaf schemas shared by the mesh.yaml schema. They only validate (no transforms), so that
 * `z.toJSONSchema` can describe the raw file for editors; normalisation converts afterwards.
 */

/** DNS names: lowercase labels of letters, digits and '-', joined by '.'. Services are called by these names. */
export const NAME_PATTERN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const serviceName = z
  .string()
  .regex(NAME_PATTERN, { error: (iss) => `invalid service name ${JSON.stringify(iss.input)}: use a DNS name (lowercase letters, digits, '-' and '.')` });

/** Subset and route names end up in metric labels: keep them to a safe alphabet. */
export const shortName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { error: (iss) => `invalid name ${JSON.stringify(iss.input)}: use letters, digits, '_', '.' and '-'` });

export const duration = z
  .union([z.number().nonnegative(), z.string().regex(DURATION_PATTERN, { error: (iss) => `invalid duration ${JSON.stringify(iss.input)}: ${DURATION_HINT}` })])
  .describe("A duration: '250ms', '2s', '1.5s', '1m', '1h', or a number of milliseconds.");

/** A duration that must be longer than zero (timeouts, intervals): a zero timeout would fail every call. */
// zod runs refinements after a non-fatal format issue too: stay quiet about values that are not durations.
export const positiveDuration = duration.refine((v) => (tryParseDuration(v) ?? 1) > 0, { error: 'must be longer than 0' });

export const percent = z
  .number()
  .min(0, { error: (iss) => `must be a percentage from 0 to 100, got ${String(iss.input)}` })
  .max(100, { error: (iss) => `must be a percentage from 0 to 100, got ${String(iss.input)}` });

export const ratio = (what: string) =>
  z
    .number()
    .min(0, { error: (iss) => `${what} must be from 0 to 1, got ${String(iss.input)}` })
    .max(1, { error: (iss) => `${what} must be from 0 to 1, got ${String(iss.input)}` });

export const count = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

/** 0 asks the OS for a free port. */
export const listenPort = count(0, 65_535);

export const httpUrl = z.url({ protocol: /^https?$/, error: (iss) => `invalid URL ${JSON.stringify(iss.input)}: expected http:// or https://` });

/** Label values are strings; numbers and booleans are accepted so that `version: 2` need not be quoted. */
export const labels = z.record(
  z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9_./-]{0,252})$/, { error: (iss) => `invalid label name ${JSON.stringify(iss.input)}` }),
  z.union([z.string(), z.number(), z.boolean()]),
);

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT'] as const;
export const httpMethod = z.enum(HTTP_METHODS);

/** RFC 9110 header field names (tchar); matched case-insensitively. */
export const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: (iss) => `invalid header name ${JSON.stringify(iss.input)}` });
