import { AsyncLocalStorage } from 'node:async_hooks';
import type { Cancellation } from './context.js';

/**
 * What an inbound request hands to the outbound calls made while serving it: its deadline,
 * its cancellation, its trace context and its caller. The server enters the store once per
 * request, at the boundary; the client reads it with `getStore()` (a few ns). Once a store is
 * active every await in the process costs more on Node 20, so nothing else enters it.
 */
export interface InboundScope {
  /** Absolute time on the mesh Clock by which the inbound request must be answered; Infinity for none. */
  readonly deadline: number;
  readonly cancellation: Cancellation;
  /** The OpenTelemetry Context of the inbound request (unknown so the core needs no tracing package). */
  readonly otel: unknown;
  /** The caller's SPIFFE ID when known (mTLS), else undefined. */
  readonly peer: string | undefined;
  /** This workload's service name. */
  readonly service: string;
}

export const inboundScope = new AsyncLocalStorage<InboundScope>();

/** The scope of the inbound request being served, if any. */
export function currentInboundScope(): InboundScope | undefined {
  return inboundScope.getStore();
}
