import { isLowerHex } from './header-text.js';

/**
 * A B3 trace id as the 32-character id W3C and OpenTelemetry use: B3 allows 64-bit ids (16 hex), which are
 * left-padded with zeros, as OpenTelemetry's B3 propagator does. undefined when it is neither 16 nor 32 lower hex.
 */
export function b3TraceIdTo128(id: string): string | undefined {
  if ((id.length !== 16 && id.length !== 32) || !isLowerHex(id)) return undefined;
  return id.length === 16 ? `0000000000000000${id}` : id;
}
