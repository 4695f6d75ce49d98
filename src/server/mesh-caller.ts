import { MeshHeaders } from '../core/index.js';
import type { InboundExchange } from './inbound-exchange.js';

/**
 * Whether the request came from a mesh client, which reads `inmesh-load` (any other caller, curl
 * included, learns nothing of this server's load). With mTLS on, an authenticated peer, and only
 * one: headers are anyone's to send. Without, a request that carries a deadline or the caller mark.
 */
export function isMeshCaller(ex: InboundExchange, authenticatedOnly: boolean): boolean {
  if (authenticatedOnly) return ex.peer !== undefined;
  const headers = ex.req.headers;
  return headers[MeshHeaders.deadline] !== undefined || headers[MeshHeaders.caller] !== undefined;
}

const kLoadSentAt = Symbol('inmesh.loadSentAt');
const LOAD_REPORT_EVERY_MS = 100;

/**
 * Whether this response should carry a load report: to mesh callers, once per connection every
 * LOAD_REPORT_EVERY_MS, as fresh as clients use it (they keep one for 5 s); formatting and
 * validating the header on every response cost ~0.5 µs.
 */
export function loadReportDue(ex: InboundExchange, now: number, authenticatedOnly: boolean): boolean {
  if (!isMeshCaller(ex, authenticatedOnly)) return false;
  const socket = ex.req.socket as (object & { [kLoadSentAt]?: number }) | undefined;
  if (!socket) return true;
  if (now - (socket[kLoadSentAt] ?? -Infinity) < LOAD_REPORT_EVERY_MS) return false;
  socket[kLoadSentAt] = now;
  return true;
}

/** The rate-limit key of a caller: its verified identity, else (plaintext) its address. */
export function callerKey(ex: InboundExchange): string {
  return ex.peer ?? ex.req.socket?.remoteAddress ?? '';
}
