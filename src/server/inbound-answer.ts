import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { InboundExchange } from './inbound-exchange.js';

/**
 * Writes a response the mesh makes itself (a refusal, a 504 at the deadline) unless a head went
 * out already. An adapter (Fastify) sends through its framework, which sets the length itself.
 */
export function answer(ex: InboundExchange, status: number, headers: OutgoingHttpHeaders, body: string): void {
  const res = ex.res;
  if (res.headersSent || res.destroyed) return;
  if (ex.target.reject) return ex.target.reject(ex.a, ex.b, status, headers, body);
  headers['content-length'] = Buffer.byteLength(body);
  (res as ServerResponse).writeHead(status, headers).end(body);
}

const kCloseWhenLast = Symbol('inmesh.closeWhenLast');
type Marked = ServerResponse & { [kCloseWhenLast]?: true };

/**
 * While draining, asks an HTTP/1.1 client to close the connection after this response, unless
 * the client already sent (pipelined) another request on it: Node drops whatever follows a
 * `connection: close` response, so only the last request the connection carried may say it.
 * The choice is made when the head goes out, the latest moment a later request can be known;
 * `laterOnSocket` says whether one is in the stack. HTTP/2 drains with GOAWAY instead.
 */
export function closeWhenLast(ex: InboundExchange, laterOnSocket: (ex: InboundExchange) => boolean): void {
  const res = ex.res as Marked;
  if (ex.req.httpVersionMajor !== 1 || res.headersSent || res[kCloseWhenLast]) return;
  res[kCloseWhenLast] = true;
  const writeHead = res.writeHead;
  // Every head goes through writeHead (Node's implicit header included); only draining responses pay for the wrapper.
  res.writeHead = function writeHeadClosing(this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent && !laterOnSocket(ex)) this.setHeader('connection', 'close');
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * Adds a response header through the adapter (Fastify: `reply.header`, kept in Fastify's own
 * header object) or on the raw response. A raw `setHeader` before Fastify's
 * `writeHead(status, headers)` would send Node down its slow path, re-validating every header
 * Fastify passes: measured at 2 µs per request.
 */
export function setHeader(ex: InboundExchange, name: string, value: string): void {
  if (ex.target.header) ex.target.header(ex.a, ex.b, name, value);
  else ex.res.setHeader(name, value);
}
