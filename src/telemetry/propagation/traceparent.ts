import { isHexId, trimOws } from './types.js';

export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

const V00_LENGTH = 55;

function isHexByte(s: string, at: number): boolean {
  for (let i = at; i < at + 2; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * W3C Trace Context (level 2) `traceparent`: `version-traceid-parentid-flags`, lower-case hex.
 * Version `ff` is invalid; version 00 is exactly 55 characters; a later version is read by the
 * 00 layout and may carry more after a '-' at position 55. All-zero ids are invalid.
 */
export function parseTraceparent(raw: string): TraceParent | undefined {
  const v = trimOws(raw);
  if (v.length < V00_LENGTH || !isHexByte(v, 0)) return undefined;
  const version = v.slice(0, 2);
  if (version === 'ff') return undefined;
  if (version === '00' ? v.length !== V00_LENGTH : v.length > V00_LENGTH && v[V00_LENGTH] !== '-') return undefined;
  if (v[2] !== '-' || v[35] !== '-' || v[52] !== '-') return undefined;
  const traceId = v.slice(3, 35);
  const spanId = v.slice(36, 52);
  if (!isHexId(traceId, 32) || !isHexId(spanId, 16) || !isHexByte(v, 53)) return undefined;
  let flags = parseInt(v.slice(53, 55), 16);
  // A later version's flags are not ours to interpret beyond what level 2 defines.
  if (version !== '00') flags &= 0x03;
  return { traceId, spanId, traceFlags: flags };
}

/** `traceparent` as this implementation sends it: version 00, the two flags level 2 defines. */
export function formatTraceparent(p: TraceParent): string {
  return `00-${p.traceId}-${p.spanId}-0${(p.traceFlags & 0x03).toString(16)}`;
}
