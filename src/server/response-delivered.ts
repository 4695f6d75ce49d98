import { constants as h2, type Http2ServerResponse } from 'node:http2';
import type { InboundResponse } from './inbound-exchange.js';

/**
 * Whether a closed response reached its end on the wire. Node's HTTP/2 compatibility response
 * reports `writableFinished` once its stream closes for any reason, also when the client sent
 * RST_STREAM or the session's connection went away; a response is delivered only if the
 * application ended it and its stream closed without a reset code (NO_ERROR).
 */
export function responseDelivered(res: InboundResponse): boolean {
  if (!res.writableFinished) return false;
  const stream = (res as Partial<Http2ServerResponse>).stream;
  if (stream === undefined) return true; // HTTP/1.1: writableFinished means what it says
  return res.writableEnded && (stream.rstCode ?? h2.NGHTTP2_NO_ERROR) === h2.NGHTTP2_NO_ERROR;
}
