import type { ServerResponse } from 'node:http';
import type { ControlErrorBody } from '../../experimental.js';
import type { ControlHttpError } from './control-http-error.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

export function sendNoContent(res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(204).end();
}

export function errorBody(e: Pick<ControlHttpError, 'code' | 'message' | 'issues'>): ControlErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.issues && { issues: e.issues }) } };
}

/**
 * Answers with the refusal. A request whose body was not read to its end closes the connection
 * afterwards, so the unread bytes are never taken for the next request.
 */
export function sendError(res: ServerResponse, e: ControlHttpError, closeConnection: boolean): void {
  sendJson(res, e.status, errorBody(e), { ...e.headers, ...(closeConnection && { connection: 'close' }) });
}
