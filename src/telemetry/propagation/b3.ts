import { isHexId, trimOws, type PropagatedSpan } from './types.js';

/** A 64- or 128-bit B3 trace id, as the 32-digit id W3C and OpenTelemetry use (64-bit ids left-padded). */
function traceIdOf(s: string): string | undefined {
  if (s.length === 16) return isHexId(s, 16) ? `0000000000000000${s}` : undefined;
  return isHexId(s, 32) ? s : undefined;
}

/**
 * The single `b3` header: `{traceId}-{spanId}[-{sampling}[-{parentSpanId}]]`, sampling `1`, `0`
 * or `d` (debug, sampled). A lone sampling decision (`0`, `1`, `d`) carries no ids: no context.
 */
export function parseB3Single(raw: string): PropagatedSpan | undefined {
  const parts = trimOws(raw).split('-');
  if (parts.length < 2 || parts.length > 4) return undefined;
  const traceId = traceIdOf(parts[0]!);
  const spanId = parts[1]!;
  if (traceId === undefined || !isHexId(spanId, 16)) return undefined;
  let sampled = false;
  if (parts.length >= 3) {
    const s = parts[2]!;
    if (s === '1' || s === 'd') sampled = true;
    else if (s !== '0') return undefined;
  }
  if (parts.length === 4 && !isHexId(parts[3]!, 16)) return undefined;
  return { traceId, spanId, traceFlags: sampled ? 1 : 0 };
}

/**
 * The `X-B3-*` headers. `x-b3-flags: 1` (debug) means sampled; without a sampling decision the
 * context is kept unsampled: this mesh defers to no one it cannot see.
 */
export function parseB3Multi(traceIdRaw: string, spanIdRaw: string, sampledRaw: string | undefined, flagsRaw: string | undefined): PropagatedSpan | undefined {
  const traceId = traceIdOf(trimOws(traceIdRaw));
  const spanId = trimOws(spanIdRaw);
  if (traceId === undefined || !isHexId(spanId, 16)) return undefined;
  const s = sampledRaw === undefined ? undefined : trimOws(sampledRaw).toLowerCase();
  if (s !== undefined && s !== '1' && s !== '0' && s !== 'true' && s !== 'false') return undefined;
  const sampled = (flagsRaw !== undefined && trimOws(flagsRaw) === '1') || s === '1' || s === 'true';
  return { traceId, spanId, traceFlags: sampled ? 1 : 0 };
}

export function formatB3Single(span: PropagatedSpan): string {
  return `${span.traceId}-${span.spanId}-${span.traceFlags & 1 ? '1' : '0'}`;
}
