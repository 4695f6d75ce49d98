import type { MeshErrorCode } from '../core/index.js';

/**
 * The body of every response the mesh writes itself (refusals, bad requests): the code a
 * MeshError would carry and a sentence for the human reading it.
 *
 * @example
 * refusalBody('MESH_ERR_OVERLOADED', 'too many requests in flight') // '{"error":{"code":"MESH_ERR_OVERLOADED",…}}'
 */
export function refusalBody(code: MeshErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** `retry-after` in whole seconds, at least 1 (the header has no finer unit). */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
