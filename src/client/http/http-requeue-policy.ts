import { isMeshError, TransportError } from '../../core/index.js';
import { IDEMPOTENT_METHODS } from '../../config/normalize-route.js';
import type { RequeuePolicy } from '../../resilience/requeue.js';
import type { HttpRequest } from './http-types.js';
import { isReplayable } from './replayable-body.js';

/**
 * HTTP failures that show a request was never processed, so it may be sent again with retries
 * off (Finagle's requeues):
 * - a refused connection or stream (connect failure, REFUSED_STREAM): nothing was sent, any method;
 * - a reused keep-alive connection that the server closed before any byte of the response, as a
 *   server whose idle timer fires just as the request arrives does: undici's `other side closed`
 *   on a socket that had read earlier responses, or ECONNRESET/EPIPE before the head. The server
 *   most likely never read it, but cannot say so, hence idempotent methods only.
 * A rejection (a TransportError at all) only ever comes before the response head: after it,
 * failures go to the body. A streamed body cannot be sent twice.
 */
export const httpRequeuePolicy: RequeuePolicy<HttpRequest> = {
  requeueable(err, req) {
    if (!(err instanceof TransportError) || !isReplayable(req.opts.body)) return undefined;
    if (err.failure === 'connect-failure' || err.failure === 'refused-stream') return err.failure;
    if (err.failure !== 'reset' || !(req.opts.idempotent === true || IDEMPOTENT_METHODS.has(req.opts.method))) return undefined;
    return closedBeforeResponse(err.cause) ? 'reset' : undefined;
  },
  endpointOf(err) {
    return isMeshError(err) ? err.endpoint : undefined;
  },
};

function closedBeforeResponse(cause: unknown): boolean {
  const c = cause as { code?: unknown; socket?: { bytesRead?: unknown } } | null | undefined;
  const code = c?.code;
  // undici's SocketError carries the socket's counters: bytes read before this request mean the
  // connection was reused. On a fresh one, `other side closed` may be a server that died on it.
  if (code === 'UND_ERR_SOCKET') return typeof c?.socket?.bytesRead === 'number' && c.socket.bytesRead > 0;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
