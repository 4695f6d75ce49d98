import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { refusalBody } from './refusal.js';

/**
 * The size of a header list as RFC 9113 §6.5.2 counts it for SETTINGS_MAX_HEADER_LIST_SIZE:
 * every name and value, uncompressed, plus 32 octets per field.
 */
export function headerListSize(rawHeaders: readonly string[]): number {
  let size = 0;
  for (let i = 0; i < rawHeaders.length; i++) size += rawHeaders[i]!.length;
  return size + (rawHeaders.length >> 1) * 32;
}

/**
 * Wraps the HTTP/2 request listener with what nghttp2 does not enforce on a session's first
 * bytes. Node feeds the bytes that arrived with the preface to nghttp2 before the session is
 * handed out, and only then emits their streams: so
 * - a stream the client already reset (rapid reset puts HEADERS and RST_STREAM side by side)
 *   would still reach the application; it is dropped here, unseen, as nothing awaits an answer;
 * - the header size limit is advertised in SETTINGS_MAX_HEADER_LIST_SIZE, but nghttp2 applies a
 *   local setting only once the client acknowledged it, and a client sends its first requests
 *   before it has read the server's SETTINGS: those came through at any size. They get 431 as on
 *   HTTP/1.1 (later ones nghttp2 resets itself, with ENHANCE_YOUR_CALM).
 */
export function h2RequestGate(
  maxHeaderSize: number,
  onRequest: (req: Http2ServerRequest, res: Http2ServerResponse) => void,
): (req: Http2ServerRequest, res: Http2ServerResponse) => void {
  return (req, res) => {
    const stream = req.stream;
    if (stream.closed || stream.destroyed) return;
    if (headerListSize(req.rawHeaders) <= maxHeaderSize) return onRequest(req, res);
    const body = refusalBody('MESH_ERR_BAD_REQUEST', `request headers larger than ${maxHeaderSize} bytes`);
    res.writeHead(431, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
  };
}
