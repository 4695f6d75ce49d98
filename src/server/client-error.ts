import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MeshError, type Logger } from '../core/index.js';
import { exchangeOf } from './inbound-stack.js';
import { refusalBody } from './refusal.js';

/** The answer to a request Node's HTTP/1.1 parser refused, by llhttp error code. */
function describe(code: string | undefined, maxHeaderSize: number): { status: number; text: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, text: 'Request Header Fields Too Large', message: `request headers larger than ${maxHeaderSize} bytes` };
    case 'HPE_INVALID_VERSION':
      return { status: 400, text: 'Bad Request', message: 'unsupported protocol version: this port speaks HTTP/1.1 (and HTTP/2 with prior knowledge where enabled)' };
    case 'HPE_INVALID_METHOD':
    case 'HPE_PAUSED_H2_UPGRADE':
      return { status: 400, text: 'Bad Request', message: 'unknown protocol or method: this port speaks HTTP/1.1 (and HTTP/2 with prior knowledge where enabled)' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, text: 'Request Timeout', message: 'the request did not arrive in time' };
    default:
      return { status: 400, text: 'Bad Request', message: `malformed HTTP request (${code ?? 'parse error'})` };
  }
}

/**
 * Answers what Node's HTTP/1.1 parser could not parse (oversized headers, an unknown protocol,
 * garbage) with a clear 4xx and a MeshError code in a JSON body, then closes that connection.
 * Other connections are untouched: the server stays up.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket, maxHeaderSize: number, log: Logger): void {
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  // Nothing can be said on a connection that is gone or is halfway through a response.
  if (err.code === 'ECONNRESET' || !socket.writable || (res && res.headersSent)) {
    socket.destroy();
    return;
  }
  const { status, text, message } = describe(err.code, maxHeaderSize);
  log.debug('refused a malformed request', { code: err.code, status, remote: socket.remoteAddress });
  if (res) {
    // The head was valid and the request is in the stack; its body was not (bad chunk, bad length).
    const error = new MeshError('MESH_ERR_BAD_REQUEST', `the request body is malformed (${err.code ?? 'parse error'})`);
    const ex = exchangeOf(res);
    if (ex) ex.terminate(error, status);
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(refusalBody(error.code, error.message));
    return;
  }
  const body = refusalBody('MESH_ERR_BAD_REQUEST', message);
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
