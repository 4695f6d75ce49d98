import { isMeshError } from '../../core/index.js';
import type { LegacyHandler } from './http-types.js';
import { cancelledError } from './call-errors.js';
import { toTransportError } from './transport-errors.js';

/**
 * The caller's handler for a call that goes straight out (a host outside the mesh), with its
 * failures as MeshErrors (the undici error as `cause`), as for calls inside the mesh: the
 * caller's own abort is `MESH_ERR_CANCELLED`, anything else a TransportError naming the host.
 */
export function passthroughHandler(handler: LegacyHandler, host: string): LegacyHandler {
  let aborted = false;
  let reason: unknown;
  return {
    onConnect(abort, context) {
      handler.onConnect?.((why) => {
        aborted = true;
        reason = why;
        abort(why);
      }, context);
    },
    onResponseStarted: handler.onResponseStarted?.bind(handler),
    onHeaders: handler.onHeaders?.bind(handler),
    onData: handler.onData?.bind(handler),
    onComplete: handler.onComplete?.bind(handler),
    onUpgrade: handler.onUpgrade?.bind(handler),
    onBodySent: handler.onBodySent?.bind(handler),
    onError(err) {
      const e = isMeshError(err) ? err : aborted ? cancelledError(reason, undefined) : toTransportError(err, host);
      handler.onError?.(e as Error);
    },
  };
}
