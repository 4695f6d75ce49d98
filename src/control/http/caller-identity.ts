import type { TLSSocket } from 'node:tls';
import { parseSpiffeId, spiffeIdsOf } from '../../experimental.js';

const known = new WeakMap<TLSSocket, string | null>();

/**
 * The SPIFFE ID of the client certificate on this connection, when there is one and it checks
 * out: TLS verified its chain against the daemon's bundle (expiry included, `socket.authorized`),
 * it is a leaf, and it names exactly one SPIFFE ID of this trust domain. A certificate that does
 * not is no identity: the caller is then anonymous, as without one.
 */
export function callerIdentity(socket: TLSSocket, trustDomain: string): string | undefined {
  const seen = known.get(socket);
  if (seen !== undefined) return seen ?? undefined;
  let id: string | null = null;
  if (socket.authorized) {
    const cert = socket.getPeerX509Certificate();
    const ids = cert && !cert.ca ? spiffeIdsOf(cert) : [];
    if (ids.length === 1) {
      try {
        const parsed = parseSpiffeId(ids[0]!);
        if (parsed.isMemberOf(trustDomain) && parsed.path !== '') id = parsed.toString();
      } catch {
        id = null;
      }
    }
  }
  known.set(socket, id);
  return id ?? undefined;
}

/** The service a workload identity `spiffe://<td>/svc/<service>` stands for, if it is one. */
export function serviceOfIdentity(id: string | undefined, trustDomain: string): string | undefined {
  const prefix = `spiffe://${trustDomain}/svc/`;
  if (id === undefined || !id.startsWith(prefix)) return undefined;
  const service = id.slice(prefix.length);
  return service.includes('/') ? undefined : service;
}
