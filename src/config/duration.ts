import type { Millis } from './types.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** What mesh.yaml accepts as a duration string: a non-negative number with an optional unit (no unit = ms). */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?$/;

export const DURATION_HINT = 'use a number with a unit: 250ms, 2s, 1.5s, 1m, 1h (a bare number is milliseconds)';

/** The duration in ms, or undefined when `input` is not a duration. */
export function tryParseDuration(input: unknown): Millis | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const m = DURATION_PATTERN.exec(input.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'ms') as keyof typeof UNIT_MS;
  // Round away float noise (1.1s = 1100.0000000000002 ms) so configs hash and print stably.
  return Math.round(Number(m[1]) * UNIT_MS[unit] * 1e6) / 1e6;
}

/**
 * Parses a mesh.yaml duration once, at load (grpc-js's duration.ts habit): `250ms`, `2s`, `1.5s`,
 * `1m`, `1h`, or a bare number of milliseconds. Throws a RangeError that says what is accepted.
 *
 * @example
 * parseDuration('1.5s') // 1500
 * parseDuration(250)    // 250
 */
export function parseDuration(input: string | number): Millis {
  const ms = tryParseDuration(input);
  if (ms === undefined) throw new RangeError(`invalid duration ${JSON.stringify(input)}: ${DURATION_HINT}`);
  return ms;
}

/** The shortest exact spelling of a duration, for summaries: 2000 → `2s`, 90000 → `90s`, 250 → `250ms`. */
export function formatDuration(ms: Millis): string {
  if (ms !== 0 && ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms !== 0 && ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  if (ms >= 1_000) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
