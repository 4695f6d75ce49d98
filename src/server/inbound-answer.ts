import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isMeshError } from '../core/index.js';
import type { InboundExchange, InboundResponse } from './inbound-exchange.js';
import { refusalBody } from './refusal.js';

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

/**
 * Ends the response of an exchange the mesh ended: `status` with a JSON error body when no head
 * went out (`connection: close` on HTTP/1.1: the request body may still be arriving), else the
 * stream is destroyed (a truncated body cannot be mended). 499: the client is gone, nothing to say.
 */
export function endResponse(ex: InboundExchange, reason: unknown, status: number): void {
  const res = ex.res;
  res.on('error', noop);
  if (status === 499 || res.headersSent) {
    if (!res.destroyed) res.destroy();
    muteLateWrites(res);
    return;
  }
  const code = isMeshError(reason) ? reason.code : 'MESH_ERR_CLOSED';
  const message = reason instanceof Error ? reason.message : String(reason);
  const headers: OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8' };
  if (ex.req.httpVersionMajor === 1) headers.connection = 'close';
  answer(ex, status, headers, refusalBody(code, message));
  // A framework that answered for us (Fastify) may still be writing (async onSend hooks) and guards against a second reply itself.
  if (!ex.target.reject) muteLateWrites(res);
}

/**
 * After the mesh ended an exchange (504 at the deadline, a cut stream), the application may
 * still answer: it has not seen the signal yet, or it answers the error it got from an aborted
 * outbound call. Node would throw ERR_HTTP_HEADERS_SENT into its code (an unhandled rejection
 * in an async handler ends the process), so this response's writes are dropped instead.
 */
export function muteLateWrites(res: InboundResponse): void {
  const r = res as unknown as Record<string, unknown>;
  const self = function (this: unknown) {
    return this;
  };
  r.writeHead = self;
  r.setHeader = self;
  r.appendHeader = self;
  r.removeHeader = self;
  r.flushHeaders = self;
  r.write = () => true;
  r.end = function (this: unknown, ...args: unknown[]) {
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (cb) queueMicrotask(cb);
    return this;
  };
}

function noop(): void {}
