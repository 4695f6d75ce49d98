import type { IncomingMessage } from 'node:http';
import { ControlHttpError, badRequest } from './control-http-error.js';

/** Bodies of every route but config; a registration or a CSR is a few KB. */
export const MAX_BODY_BYTES = 64 * 1024;
/** A mesh.yaml, as large as the loader accepts. */
export const MAX_CONFIG_BODY_BYTES = 8 * 1024 * 1024;

const tooLarge = (limit: number) => new ControlHttpError(413, 'MESH_ERR_BAD_REQUEST', `the request body is larger than ${limit} bytes`);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The whole body, refused past `limit` (at once when content-length says so, else as soon as
 * the bytes arriving pass it) and when the client goes away or stalls past `timeoutMs`.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish(new ControlHttpError(408, 'MESH_ERR_BAD_REQUEST', `the request body did not arrive within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onClose = () => finish(badRequest('the client went away before its body was sent'));
    const onError = () => finish(badRequest('the request body is malformed'));
    function finish(err: ControlHttpError | undefined): void {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onError);
      if (err) {
        req.resume();
        reject(err);
      } else resolve(Buffer.concat(chunks));
    }
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onError);
  });
}

/** The body as UTF-8 text; bytes that are not UTF-8 are refused rather than replaced. */
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw badRequest('the request body is not valid UTF-8');
  }
}

/** The media type of content-type, lower-cased, without parameters. */
export function mediaType(req: IncomingMessage): string | undefined {
  const raw = req.headers['content-type'];
  return raw === undefined ? undefined : raw.split(';')[0]!.trim().toLowerCase();
}

export function requireMediaType(req: IncomingMessage, accepted: readonly string[]): void {
  const type = mediaType(req);
  if (type === undefined || !accepted.includes(type)) {
    throw new ControlHttpError(415, 'MESH_ERR_BAD_REQUEST', `content-type must be ${accepted.join(' or ')}${type === undefined ? '' : `, got ${JSON.stringify(type.slice(0, 100))}`}`);
  }
}

/** A JSON object body (content-type application/json), bounded; anything else is a 4xx. */
export async function readJsonObject(req: IncomingMessage, timeoutMs: number): Promise<Record<string, unknown>> {
  requireMediaType(req, ['application/json']);
  const text = decodeUtf8(await readBody(req, MAX_BODY_BYTES, timeoutMs));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body is not JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the body must be a JSON object');
  return value as Record<string, unknown>;
}
