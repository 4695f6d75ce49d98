import { isMeshError, type ConfigIssue, type MeshErrorCode } from '../../index.js';

/** A refusal with its HTTP status: what a handler throws to answer with a ControlErrorBody. */
export class ControlHttpError extends Error {
  override readonly name = 'ControlHttpError';
  readonly status: number;
  readonly code: MeshErrorCode;
  readonly issues: readonly ConfigIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: MeshErrorCode, message: string, o: { issues?: readonly ConfigIssue[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = o.issues;
    this.headers = o.headers ?? {};
  }
}

export const badRequest = (message: string): ControlHttpError => new ControlHttpError(400, 'MESH_ERR_BAD_REQUEST', message);
export const unauthenticated = (message: string): ControlHttpError => new ControlHttpError(401, 'MESH_ERR_UNAUTHORIZED', message, { headers: { 'www-authenticate': 'Bearer' } });
export const forbidden = (message: string): ControlHttpError => new ControlHttpError(403, 'MESH_ERR_UNAUTHORIZED', message);

/**
 * The answer for anything a handler threw: its own refusal, a MeshError of the library (bad
 * input it refused), or — for what nobody foresaw — a 500 that names no internals.
 */
export function toControlHttpError(err: unknown): ControlHttpError {
  if (err instanceof ControlHttpError) return err;
  if (isMeshError(err)) {
    const status = err.code === 'MESH_ERR_UNAUTHORIZED' ? 403 : err.code === 'MESH_ERR_RATE_LIMITED' ? 429 : 400;
    return new ControlHttpError(status, err.code, err.message);
  }
  return new ControlHttpError(500, 'MESH_ERR_TRANSPORT', 'the control daemon failed to answer this request');
}
