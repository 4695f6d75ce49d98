import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './respond.js';

function describe(code: string | undefined): { status: number; text: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, text: 'Request Header Fields Too Large', message: 'the request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, text: 'Request Timeout', message: 'the request did not arrive in time' };
    default:
      return { status: 400, text: 'Bad Request', message: `malformed HTTP request (${code ?? 'parse error'})` };
  }
}

/**
 * Answers what Node's HTTP parser refused (garbage, oversized headers, a head or body that
 * did not arrive in time) with a 4xx ControlErrorBody, then closes that connection only.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || res?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, text, message } = describe(err.code);
  const body = JSON.stringify(errorBody({ code: 'MESH_ERR_BAD_REQUEST', message, issues: undefined }));
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
