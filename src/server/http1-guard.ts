import type { IncomingMessage, ServerResponse } from 'node:http';
import { refusalBody } from './refusal.js';

/** Most header fields a request may carry; Node keeps the first ~1000 and drops the rest silently. */
export const MAX_HEADER_COUNT = 1000;
/** Node is told to keep one more than the limit, so that a request past it can be seen and refused. */
export const PARSER_HEADER_COUNT = MAX_HEADER_COUNT + 1;

/**
 * What Node's HTTP/1.1 parser lets through but the mesh refuses before the stack sees it: a
 * version other than 1.x (llhttp parses `HTTP/2.0` and `HTTP/0.9` request lines as if they were
 * HTTP/1.1), and more header fields than Node keeps (a deadline header after them would be lost).
 *
 * @example
 * createServer(opts, guardHttp1(onRequest)).maxHeadersCount = PARSER_HEADER_COUNT;
 */
export function guardHttp1(onRequest: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return function http1Request(req, res) {
    if (req.httpVersionMajor !== 1) return refuse(res, 505, `HTTP/${req.httpVersion} is not supported here: this port speaks HTTP/1.1 (and HTTP/2 with prior knowledge where enabled)`);
    if (req.rawHeaders.length > 2 * MAX_HEADER_COUNT) return refuse(res, 431, `more than ${MAX_HEADER_COUNT} header fields`);
    onRequest(req, res);
  };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  const body = refusalBody('MESH_ERR_BAD_REQUEST', message);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
}
