/** Lower-case hex ids; traceFlags bit 0 = sampled (bit 1, W3C level 2's random-trace-id flag, kept as received). */
export interface PropagatedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  /** Serialized, validated tracestate; absent when none. */
  readonly traceState?: string;
}

export interface BaggageEntry {
  readonly value: string;
  /** The member's properties as written after the value (`;` separated), kept opaque. */
  readonly metadata?: string;
}

export interface Extracted {
  /** Absent: no valid incoming context, so the receiver starts a new trace. */
  readonly span?: PropagatedSpan;
  readonly baggage?: ReadonlyMap<string, BaggageEntry>;
}

/** Reads one request header by lower-case name; Node gives string | string[] | undefined. */
export type HeaderGetter = (name: string) => string | readonly string[] | undefined;
export type HeaderSetter = (name: string, value: string) => void;

/** Any single trace header longer than this is ignored unread: no parsing work on hostile input. */
export const MAX_TRACE_HEADER = 8192;

/** The one value of a header that must appear once; undefined when absent, repeated or oversized. */
export function singleValue(v: string | readonly string[] | undefined): string | undefined {
  const one = typeof v === 'string' ? v : v !== undefined && v.length === 1 ? v[0] : undefined;
  return one !== undefined && one.length <= MAX_TRACE_HEADER ? one : undefined;
}

/** All values of a list header joined by ',' (RFC 9110 combination); undefined when absent or oversized. */
export function joinedValue(v: string | readonly string[] | undefined): string | undefined {
  const all = typeof v === 'string' ? v : v === undefined || v.length === 0 ? undefined : v.join(',');
  return all !== undefined && all.length <= MAX_TRACE_HEADER ? all : undefined;
}

/** `s` is `len` lower-case hex digits and not all zeros (an invalid id in every format here). */
export function isHexId(s: string, len: number): boolean {
  if (s.length !== len) return false;
  let nonZero = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    if (!digit && !(c >= 97 && c <= 102)) return false;
    if (c !== 48) nonZero = true;
  }
  return nonZero;
}

/** Trims optional whitespace (SP / HTAB) at both ends. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
