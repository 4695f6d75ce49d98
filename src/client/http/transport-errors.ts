import { MeshError, TransportError, isMeshError, type TransportFailure } from '../../core/index.js';

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNABORTED']);
const RESETS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Names an undici/net failure in the terms of `retries.on`. */
export function transportFailureOf(err: unknown): TransportFailure {
  const code = (err as { code?: string } | null)?.code ?? '';
  if (CONNECT_FAILURES.has(code)) return 'connect-failure';
  if (RESETS.has(code)) return 'reset';
  if (TIMEOUTS.has(code)) return 'timeout';
  if (code === 'ERR_HTTP2_STREAM_ERROR' && /REFUSED_STREAM/.test(String((err as Error).message))) return 'refused-stream';
  return 'other';
}

/**
 * Wraps a transport error as a MeshError (TransportError), keeping the original as `cause`;
 * options undici refuses before sending anything (a bad method or header) are MESH_ERR_BAD_REQUEST.
 */
export function toTransportError(err: unknown, endpoint: string | undefined, service?: string): unknown {
  if (isMeshError(err)) return err;
  if ((err as { code?: unknown } | null)?.code === 'UND_ERR_INVALID_ARG') {
    return new MeshError('MESH_ERR_BAD_REQUEST', `invalid request: ${(err as Error).message}`, { cause: err, endpoint, service });
  }
  const failure = transportFailureOf(err);
  const message = `${endpoint ?? service ?? 'call'}: ${failure}: ${(err as Error)?.message ?? String(err)}`;
  return new TransportError(failure, message, { cause: err, endpoint, service });
}
