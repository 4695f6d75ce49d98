import { constants as h2, type Http2ServerResponse } from 'node:http2';
import type { InboundResponse } from './inbound-exchange.js';

/**
 * Whether a closed response reached its end on the wire. Node's HTTP/2 compatibility response
 * reports `writableFinished` once its stream closes for any reason, also when the client sent
 * RST_STREAM or the session's connection went away; only the stream's reset code tells a
 * delivered response (NO_ERROR) from an abandoned one.
 */
export function responseDelivered(res: InboundResponse): boolean {
  if (!res.writableFinished) return false;
  const stream = (res as Partial<Http2ServerResponse>).stream;
  return stream === undefined || stream.rstCode === undefined || stream.rstCode === h2.NGHTTP2_NO_ERROR;
}
