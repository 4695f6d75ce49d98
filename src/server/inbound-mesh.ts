import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Cancellation } from '../core/index.js';
// Brings Express's request type into the program to augment it below; type-only, gone from the output.
import type {} from 'express-serve-static-core';

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
  /**
   * The claims of the caller's JWT once verified (mesh.yaml `authentication`); undefined when the
   * request carried no token or the service verifies none.
   */
  readonly claims: Readonly<Record<string, unknown>> | undefined;
  /**
   * When the caller needs the answer, in epoch milliseconds (`Date.now()`'s scale, the scale of
   * the `deadline` call option); Infinity for none. Outbound calls made while serving inherit it
   * without being told.
   */
  readonly deadlineAt: number;
  /**
   * The same deadline on the mesh Clock (monotonic, `performance.now()`'s scale), the one
   * `remaining()` counts down to.
   * @deprecated Not the scale of the `deadline` call option: pass `deadlineAt`, or use `remaining()`.
   */
  readonly deadline: number;
  /** Aborts at the deadline or when the client goes away; made on first read. */
  readonly signal: AbortSignal;
  readonly cancellation: Cancellation;
  /** The OpenTelemetry Context of the request (undefined until tracing lands). */
  readonly otel: unknown;
  /** Milliseconds left before the deadline (Infinity for none, 0 once passed). */
  remaining(): number;
}

/**
 * A request the mesh serves (`mesh.serve` with a request listener). Only these have `req.mesh`:
 * node:http's IncomingMessage is also what its client reads responses from.
 */
export type MeshRequest = IncomingMessage & { readonly mesh: InboundMesh };

/** A request the mesh serves over HTTP/2. */
export type MeshHttp2Request = Http2ServerRequest & { readonly mesh: InboundMesh };

declare module 'express-serve-static-core' {
  interface Request {
    /** Set on requests served by `mesh.serve` or after the `inmeshExpress` middleware. */
    readonly mesh: InboundMesh;
  }
}
