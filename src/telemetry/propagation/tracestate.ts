import { trimOws } from './types.js';

export type TraceStateEntries = ReadonlyArray<readonly [key: string, value: string]>;

export const MAX_TRACESTATE_MEMBERS = 32;
/** What a vendor must be able to propagate; longer states are cut, big entries first. */
export const MAX_TRACESTATE_LENGTH = 512;
const BIG_ENTRY = 128;

const isKeyChar = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 42 || c === 47;
const isLowerAlpha = (c: number) => c >= 97 && c <= 122;

/**
 * A tracestate key: `[a-z][_0-9a-z-*\/]{0,255}`, or multi-tenant
 * `[a-z0-9][_0-9a-z-*\/]{0,240}@[a-z][_0-9a-z-*\/]{0,13}`. Checked by hand: linear, no regex.
 */
export function isTraceStateKey(k: string): boolean {
  const at = k.indexOf('@');
  if (at < 0) {
    if (k.length === 0 || k.length > 256 || !isLowerAlpha(k.charCodeAt(0))) return false;
    for (let i = 1; i < k.length; i++) if (!isKeyChar(k.charCodeAt(i))) return false;
    return true;
  }
  const tenant = k.slice(0, at);
  const system = k.slice(at + 1);
  if (tenant.length === 0 || tenant.length > 241 || system.length === 0 || system.length > 14) return false;
  const t0 = tenant.charCodeAt(0);
  if (!isLowerAlpha(t0) && !(t0 >= 48 && t0 <= 57)) return false;
  for (let i = 1; i < tenant.length; i++) if (!isKeyChar(tenant.charCodeAt(i))) return false;
  if (!isLowerAlpha(system.charCodeAt(0))) return false;
  for (let i = 1; i < system.length; i++) if (!isKeyChar(system.charCodeAt(i))) return false;
  return true;
}

/** A value: 1–256 printable ASCII characters except ',' and '=', not ending in a space. */
export function isTraceStateValue(v: string): boolean {
  if (v.length === 0 || v.length > 256 || v.charCodeAt(v.length - 1) === 32) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return true;
}

/**
 * The entries of a combined tracestate header, in order (leftmost most recent), or undefined
 * when it must be discarded whole: an invalid member, a duplicate key, more than 32 members.
 * Empty members (only whitespace) are allowed and skipped.
 */
export function parseTraceState(header: string): TraceStateEntries | undefined {
  const out: Array<readonly [string, string]> = [];
  const seen = new Set<string>();
  for (const part of header.split(',')) {
    const member = trimOws(part);
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (!isTraceStateKey(key) || !isTraceStateValue(value) || seen.has(key)) return undefined;
    seen.add(key);
    out.push([key, value]);
    if (out.length > MAX_TRACESTATE_MEMBERS) return undefined;
  }
  return out;
}

/** Serializes entries within 512 characters: entries over 128 characters go first, then from the end. */
export function formatTraceState(entries: TraceStateEntries): string {
  let kept = entries.slice(0, MAX_TRACESTATE_MEMBERS);
  const length = (es: TraceStateEntries) => es.reduce((n, [k, v], i) => n + k.length + 1 + v.length + (i > 0 ? 1 : 0), 0);
  if (length(kept) > MAX_TRACESTATE_LENGTH) {
    kept = kept.filter(([k, v]) => k.length + 1 + v.length <= BIG_ENTRY);
    while (kept.length > 0 && length(kept) > MAX_TRACESTATE_LENGTH) kept = kept.slice(0, -1);
  }
  return kept.map(([k, v]) => `${k}=${v}`).join(',');
}

/** The state with `key` set to `value` at the front (most recent) and its old position removed. */
export function setTraceStateEntry(entries: TraceStateEntries, key: string, value: string): TraceStateEntries {
  if (!isTraceStateKey(key) || !isTraceStateValue(value)) throw new RangeError(`invalid tracestate entry ${JSON.stringify(`${key}=${value}`)}`);
  const rest = entries.filter(([k]) => k !== key).slice(0, MAX_TRACESTATE_MEMBERS - 1);
  return [[key, value], ...rest];
}
