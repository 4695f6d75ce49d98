import { MAX_TRACE_HEADER_LENGTH, trimOws } from './header-text.js';
import { isValidTraceStateKey, isValidTraceStateValue } from './tracestate-grammar.js';
import type { HeaderValue } from './types.js';

export const TRACESTATE_HEADER = 'tracestate';

/** The list-members of a tracestate in header order: the first is the most recent (the vendor of the traceparent). */
export type TraceStateEntries = ReadonlyMap<string, string>;

export const MAX_TRACE_STATE_MEMBERS = 32;
/** What the spec says a vendor should at least propagate; we send no more so that nobody downstream truncates. */
export const MAX_TRACE_STATE_LENGTH = 512;
/** The size above which an entry is the first to go when the list is too long (the spec's truncation order). */
const LARGE_ENTRY_LENGTH = 128;

/**
 * The entries of the tracestate header, or undefined when there is none or it is invalid. Repeated headers are one
 * list joined with `,` (RFC 9110 field order), so the length limit applies to the joined value. Empty members and
 * the whitespace around members are allowed and dropped. More than 32 members, one invalid member or a repeated key
 * makes the whole list invalid: the spec has us discard it rather than guess which part is right.
 */
export function parseTraceState(value: HeaderValue): TraceStateEntries | undefined {
  const text = joinedValue(value);
  if (text === undefined) return undefined;
  const entries = new Map<string, string>();
  let start = 0;
  while (start <= text.length) {
    const comma = text.indexOf(',', start);
    const end = comma === -1 ? text.length : comma;
    const member = trimOws(text, start, end);
    if (member !== '') {
      const eq = member.indexOf('=');
      if (eq <= 0) return undefined;
      const key = member.slice(0, eq);
      const entryValue = member.slice(eq + 1);
      if (!isValidTraceStateKey(key) || !isValidTraceStateValue(entryValue) || entries.has(key)) return undefined;
      if (entries.size === MAX_TRACE_STATE_MEMBERS) return undefined;
      entries.set(key, entryValue);
    }
    start = end + 1;
  }
  return entries;
}

function joinedValue(value: HeaderValue): string | undefined {
  if (value === undefined || typeof value === 'string') {
    return value === undefined || value.length > MAX_TRACE_HEADER_LENGTH ? undefined : value;
  }
  let length = value.length - 1;
  for (const part of value) length += part.length;
  return length > MAX_TRACE_HEADER_LENGTH ? undefined : value.join(',');
}

/**
 * The header value for the entries, '' when there are none. Entries that break the grammar are skipped, so whatever
 * a caller put in the map, the header is valid. Longer than 512 characters, entries over 128 characters go first
 * (right-most first), then entries from the right, as the spec's truncation rule says.
 */
export function formatTraceState(entries: TraceStateEntries): string {
  const members: string[] = [];
  for (const [key, value] of entries) {
    if (members.length === MAX_TRACE_STATE_MEMBERS) break;
    if (isValidTraceStateKey(key) && isValidTraceStateValue(value)) members.push(`${key}=${value}`);
  }
  let length = members.reduce((sum, m) => sum + m.length, 0) + Math.max(0, members.length - 1);
  while (length > MAX_TRACE_STATE_LENGTH) {
    const large = findLastIndex(members, m => m.length > LARGE_ENTRY_LENGTH);
    const [dropped] = members.splice(large === -1 ? members.length - 1 : large, 1);
    length -= (dropped?.length ?? 0) + (members.length > 0 ? 1 : 0);
  }
  return members.join(',');
}

function findLastIndex(members: readonly string[], test: (member: string) => boolean): number {
  for (let i = members.length - 1; i >= 0; i--) if (test(members[i] as string)) return i;
  return -1;
}

/**
 * The spec's mutation rule: a new or updated key moves to the front (it names the vendor that wrote the
 * traceparent), and past 32 members the right-most goes. An invalid key or value leaves the state as it was:
 * telemetry must not fail the request it describes.
 */
export function setTraceStateEntry(state: TraceStateEntries, key: string, value: string): TraceStateEntries {
  if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return state;
  const next = new Map<string, string>([[key, value]]);
  for (const [k, v] of state) {
    if (next.size === MAX_TRACE_STATE_MEMBERS) break;
    if (k !== key) next.set(k, v);
  }
  return next;
}

export function removeTraceStateEntry(state: TraceStateEntries, key: string): TraceStateEntries {
  if (!state.has(key)) return state;
  const next = new Map(state);
  next.delete(key);
  return next;
}
