import { isAllZeros, isLowerHex, singleHeaderValue } from './header-text.js';
import { KNOWN_TRACE_FLAGS } from './span-ids.js';
import type { HeaderValue, PropagatedSpan } from './types.js';

export const TRACEPARENT_HEADER = 'traceparent';

/** `vv-` + 32 hex trace id + `-` + 16 hex parent id + `-` + 2 hex flags: the whole of version 00. */
const VERSION_00_LENGTH = 55;

/**
 * A W3C traceparent (Trace Context level 2), or undefined when the trace must restart: absent, repeated, longer than
 * the header limit, version ff, any field not lower-case hex of its exact width, an all-zero id, or version 00 with
 * anything after the flags. A higher version is read by the 00 layout, provided a `-` ends the flags (the spec's
 * forward-compatibility rule); what follows it is not ours to interpret and is dropped.
 */
export function parseTraceparent(value: HeaderValue): PropagatedSpan | undefined {
  const text = singleHeaderValue(value);
  if (text === undefined || text.length < VERSION_00_LENGTH) return undefined;
  const version = text.slice(0, 2);
  if (!isLowerHex(version) || version === 'ff' || text[2] !== '-') return undefined;
  if (text.length > VERSION_00_LENGTH && (version === '00' || text[VERSION_00_LENGTH] !== '-')) return undefined;
  if (text[35] !== '-' || text[52] !== '-') return undefined;
  if (!isLowerHex(text, 3, 35) || !isLowerHex(text, 36, 52) || !isLowerHex(text, 53, 55)) return undefined;
  const traceId = text.slice(3, 35);
  const spanId = text.slice(36, 52);
  if (isAllZeros(traceId) || isAllZeros(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(text.slice(53, 55), 16) & KNOWN_TRACE_FLAGS };
}

/** Always version 00, the highest this code knows, as the spec asks of whoever re-sends a higher version. */
export function formatTraceparent(span: PropagatedSpan): string {
  const flags = (span.traceFlags & KNOWN_TRACE_FLAGS).toString(16).padStart(2, '0');
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}
