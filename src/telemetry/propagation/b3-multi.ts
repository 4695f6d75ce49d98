import { singleHeaderValue } from './header-text.js';
import { b3TraceIdTo128 } from './b3-ids.js';
import { isSampled, isValidSpanId, isValidTraceId, SAMPLED_FLAG } from './span-ids.js';
import type { HeaderGetter, PropagatedSpan } from './types.js';

export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_SAMPLED_HEADER = 'x-b3-sampled';
export const B3_FLAGS_HEADER = 'x-b3-flags';
/** Never read or written; listed among the fields so that a caller dropping stale headers drops a forwarded one. */
export const B3_PARENT_SPAN_ID_HEADER = 'x-b3-parentspanid';

const SAMPLED_VALUES = new Set(['1', 'true']);
const NOT_SAMPLED_VALUES = new Set(['0', 'false']);

/**
 * The span in the `x-b3-*` headers, or undefined. Trace id (16 or 32 lower hex) and span id (16) are required.
 * `x-b3-sampled` is `1`/`true` or `0`/`false`; any other value makes the context invalid. `x-b3-flags: 1` is
 * debug, which implies sampled; other flags values are ignored, as the B3 spec allows. With neither header the
 * caller deferred the decision: we cannot carry "undecided" in one flag bit, so the span is not sampled and the
 * next sampler decides.
 */
export function parseB3Multi(get: HeaderGetter): PropagatedSpan | undefined {
  const rawTraceId = singleHeaderValue(get(B3_TRACE_ID_HEADER));
  const spanId = singleHeaderValue(get(B3_SPAN_ID_HEADER));
  if (rawTraceId === undefined || spanId === undefined) return undefined;
  const traceId = b3TraceIdTo128(rawTraceId);
  if (traceId === undefined || !isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  const sampledHeader = get(B3_SAMPLED_HEADER);
  let traceFlags = 0;
  if (sampledHeader !== undefined) {
    const sampled = singleHeaderValue(sampledHeader) ?? '';
    if (SAMPLED_VALUES.has(sampled)) traceFlags = SAMPLED_FLAG;
    else if (!NOT_SAMPLED_VALUES.has(sampled)) return undefined;
  }
  if (singleHeaderValue(get(B3_FLAGS_HEADER)) === '1') traceFlags = SAMPLED_FLAG;
  return { traceId, spanId, traceFlags };
}

/** The three headers to write, in this order; the sampling decision is always sent. */
export function formatB3Multi(span: PropagatedSpan): ReadonlyArray<readonly [name: string, value: string]> {
  return [
    [B3_TRACE_ID_HEADER, span.traceId],
    [B3_SPAN_ID_HEADER, span.spanId],
    [B3_SAMPLED_HEADER, isSampled(span) ? '1' : '0'],
  ];
}
