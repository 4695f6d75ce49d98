import { singleHeaderValue } from './header-text.js';
import { b3TraceIdTo128 } from './b3-ids.js';
import { isSampled, isValidSpanId, isValidTraceId, SAMPLED_FLAG } from './span-ids.js';
import type { HeaderValue, PropagatedSpan } from './types.js';

export const B3_SINGLE_HEADER = 'b3';

/**
 * The span in a `b3` header, `{traceId}-{spanId}[-{sampling}[-{parentSpanId}]]` (openzipkin b3-propagation), or
 * undefined. A lone `0`, `1` or `d` is a sampling hint without ids, so there is no context to continue. Sampling
 * `1` and `d` (debug, which implies sampled) set the sampled flag, `0` or none leave it clear; any other sampling
 * value, a bad parent id or a fifth field makes the header invalid. The parent id is checked, then dropped: the
 * span id is what the next span is a child of.
 */
export function parseB3Single(value: HeaderValue): PropagatedSpan | undefined {
  const text = singleHeaderValue(value);
  if (text === undefined) return undefined;
  const fields = text.split('-', 5);
  if (fields.length < 2 || fields.length > 4) return undefined;
  const [rawTraceId = '', spanId = '', sampling, parentSpanId] = fields;
  const traceId = b3TraceIdTo128(rawTraceId);
  if (traceId === undefined || !isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  if (parentSpanId !== undefined && !isValidSpanId(parentSpanId)) return undefined;
  const traceFlags = samplingFlags(sampling);
  return traceFlags === undefined ? undefined : { traceId, spanId, traceFlags };
}

function samplingFlags(sampling: string | undefined): number | undefined {
  if (sampling === undefined || sampling === '0') return 0;
  return sampling === '1' || sampling === 'd' ? SAMPLED_FLAG : undefined;
}

/** `{traceId}-{spanId}-{1|0}`: the sampling decision is always sent, so the next hop need not make its own. */
export function formatB3Single(span: PropagatedSpan): string {
  return `${span.traceId}-${span.spanId}-${isSampled(span) ? '1' : '0'}`;
}
