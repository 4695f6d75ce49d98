import { MeshError, isMeshError } from '../../core/index.js';
import { toTransportError } from './transport-errors.js';

/** The caller's abort as the mesh reports it: `MESH_ERR_CANCELLED`, the abort reason as `cause`. */
export function cancelledError(reason: unknown, service: string | undefined): MeshError {
  if (isMeshError(reason)) return reason;
  return new MeshError('MESH_ERR_CANCELLED', `${service ?? 'call'}: cancelled by the caller`, { cause: reason, service });
}

/**
 * What a caller gets for any failure: a MeshError naming the service, whatever failed below
 * (a non-mesh error is wrapped with it as `cause`, so no raw undici or internal error escapes).
 */
export function callerError(err: unknown, service: string | undefined): MeshError {
  const e = (isMeshError(err) ? err : toTransportError(err, undefined, service)) as MeshError;
  if (e.service === undefined) e.service = service;
  return e;
}
