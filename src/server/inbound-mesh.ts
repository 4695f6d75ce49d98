import type { Cancellation } from '../core/index.js';

/**
 * What the mesh knows of an inbound request, on `req.mesh` (node:http, Express) and
 * `request.mesh` (Fastify). It is also the inbound scope that outbound calls made while
 * serving the request inherit their deadline and cancellation from.
 */
export interface InboundMesh {
  /** This workload's service name. */
  readonly service: string;
  /** The caller's SPIFFE ID when the connection is mTLS; undefined over plaintext. */
  readonly peer: string | undefined;
  /** Absolute time on the mesh Clock by which the caller needs the answer; Infinity for none. */
  readonly deadline: number;
  /** Aborts at the deadline or when the client goes away; made on first read. */
  readonly signal: AbortSignal;
  readonly cancellation: Cancellation;
  /** The OpenTelemetry Context of the request (undefined until tracing lands). */
  readonly otel: unknown;
  /** Milliseconds left before the deadline (Infinity for none, 0 once passed). */
  remaining(): number;
}

declare module 'node:http' {
  interface IncomingMessage {
    /** Set on every request served by `mesh.serve` or after the `inmeshExpress` middleware. */
    mesh: InboundMesh;
  }
}

declare module 'node:http2' {
  interface Http2ServerRequest {
    /** Set on every request served by `mesh.serve` over HTTP/2. */
    mesh: InboundMesh;
  }
}
