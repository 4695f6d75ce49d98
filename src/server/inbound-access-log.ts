import { isMeshError } from '../core/index.js';
import type { AccessLog, AccessLogControl, TraceRef } from '../telemetry/index.js';
import type { InboundExchange } from './inbound-exchange.js';

/** What the inbound stack needs to log: the control (read per request) and this workload's identity. */
export interface InboundAccessLog {
  readonly control: AccessLogControl;
  /** This workload's SPIFFE ID, the destination of every inbound line; undefined without identity. */
  readonly identity: string | undefined;
}

const SERVICE_PATH = '/svc/';

/** The service a mesh SPIFFE ID names (`spiffe://td/svc/<name>`); undefined for any other ID. */
function serviceOf(spiffeId: string | undefined): string | undefined {
  if (spiffeId === undefined) return undefined;
  const i = spiffeId.indexOf(SERVICE_PATH, 'spiffe://'.length);
  return i < 0 ? undefined : spiffeId.slice(i + SERVICE_PATH.length);
}

/**
 * One sampled inbound request's line, when its response ended (`reason` when the stack ended it:
 * a deadline, a drain). The error is the refusal's code, the reason's, or MESH_ERR_CANCELLED for
 * a client that left before the response ended.
 */
export function logInbound(log: AccessLog, o: InboundAccessLog, ex: InboundExchange, route: string, status: number, now: number, reason: unknown, trace?: TraceRef): void {
  const error = ex.refusal ?? (reason !== undefined ? (isMeshError(reason) ? reason.code : 'MESH_ERR_CANCELLED') : status === 499 ? 'MESH_ERR_CANCELLED' : undefined);
  const headers = ex.req.headers;
  log.write({
    direction: 'inbound',
    peerService: serviceOf(ex.peer),
    sourceIdentity: ex.peer,
    destinationIdentity: o.identity,
    route,
    method: ex.req.method,
    path: ex.req.url,
    status,
    error,
    durationMs: now - ex.startedAt,
    traceId: trace?.traceId,
    spanId: trace?.spanId,
    header: (name) => {
      const v = headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    },
  });
}
