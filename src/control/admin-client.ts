import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { MeshError } from '../index.js';

export interface AdminCallOptions {
  /** The daemon's `https://host:port`. */
  readonly url: string;
  /** The CA bundle to verify the daemon with (`.inmesh/control/ca.pem`). */
  readonly caPem: string;
  readonly adminToken: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

export interface AdminReply {
  readonly status: number;
  /** The parsed JSON answer; undefined when there was none or it was not JSON. */
  readonly body: any;
}

/** Answers are a few KB; a daemon answering more is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Reads a file the operator names (admin token, CA), saying which flag to fix when it cannot. */
export function readOperatorFile(path: string, what: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new MeshError('MESH_ERR_CONFIG_INVALID', `cannot read the ${what} ${path} (${flag}): ${(e as Error).message}`, { cause: e });
  }
}

/**
 * One call to the daemon's API as its operator: over TLS verified with the daemon's bundle, with
 * the admin token. Used by `inmesh token` and `inmesh apply`.
 *
 * @example
 * const r = await callControlAdmin({ url, caPem, adminToken, method: 'POST', path: ControlPaths.tokens, body: JSON.stringify({ service: 'orders', ttlSeconds: 3600 }), contentType: 'application/json' });
 */
export async function callControlAdmin(o: AdminCallOptions): Promise<AdminReply> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const agent = new Agent({ connect: { ca: o.caPem, timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  try {
    const res = await request(new URL(o.path, o.url), {
      method: o.method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${o.adminToken}`, ...(o.contentType && { 'content-type': o.contentType }) },
      body: o.body,
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((e: unknown) => {
      throw new MeshError('MESH_ERR_TRANSPORT', `cannot reach the control daemon at ${o.url}: ${(e as Error).message}`, { cause: e });
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) throw new MeshError('MESH_ERR_TRANSPORT', `the control daemon at ${o.url} answered with more than ${MAX_ANSWER_BYTES} bytes`);
      chunks.push(chunk);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body };
  } finally {
    void agent.close();
  }
}
