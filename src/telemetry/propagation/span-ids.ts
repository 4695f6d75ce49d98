import { isAllZeros, isLowerHex } from './header-text.js';
import type { PropagatedSpan } from './types.js';

export const SAMPLED_FLAG = 0x01;
/**
 * The flags Trace Context level 2 defines: sampled and random. The others are reserved and the spec says to send
 * them as zero, so they are cleared on the way in and on the way out.
 */
export const KNOWN_TRACE_FLAGS = 0x03;

export function isValidTraceId(id: string): boolean {
  return id.length === 32 && isLowerHex(id) && !isAllZeros(id);
}

export function isValidSpanId(id: string): boolean {
  return id.length === 16 && isLowerHex(id) && !isAllZeros(id);
}

/** Guards inject: a span built by hand with a bad id must not turn into a header the next hop rejects or misreads. */
export function isValidPropagatedSpan(span: PropagatedSpan): boolean {
  return isValidTraceId(span.traceId) && isValidSpanId(span.spanId)
    && Number.isInteger(span.traceFlags) && span.traceFlags >= 0 && span.traceFlags <= 0xff;
}

export function isSampled(span: PropagatedSpan): boolean {
  return (span.traceFlags & SAMPLED_FLAG) === SAMPLED_FLAG;
}
