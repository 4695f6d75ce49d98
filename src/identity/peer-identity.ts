import type { X509Certificate } from 'node:crypto';
import { trySpiffeId } from './spiffe-id.js';
import { parseSubjectAltName } from './x509/certificate-info.js';

/** Why a peer's certificate was refused after the chain verified: the `reason` label of the refusal counters. */
export type PeerRefusal = 'no-spiffe-id' | 'several-spiffe-ids' | 'bad-spiffe-id' | 'other-trust-domain' | 'ca-certificate' | 'wrong-service';

export type PeerCheck = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly reason: PeerRefusal; readonly detail: string };

/** The URI SANs of a certificate; a SAN text Node would not write (it cannot be parsed) has none that can be trusted. */
function uriSansOf(cert: X509Certificate): string[] {
  try {
    return parseSubjectAltName(cert.subjectAltName)
      .filter((e) => e.kind === 'URI')
      .map((e) => e.value);
  } catch {
    return [];
  }
}

/**
 * What the SPIFFE X.509-SVID spec asks of a peer's leaf once its chain verified: exactly one URI
 * SAN, a well-formed SPIFFE ID in this trust domain, not a CA certificate; and, for a client
 * checking its server, the SPIFFE ID of the service it meant to call, not a host name.
 */
export function checkPeer(cert: X509Certificate, trustDomain: string, expected?: string): PeerCheck {
  const uris = uriSansOf(cert);
  if (uris.length === 0) return { ok: false, reason: 'no-spiffe-id', detail: 'the certificate has no URI SAN (no SPIFFE ID)' };
  if (uris.length > 1) return { ok: false, reason: 'several-spiffe-ids', detail: `the certificate has ${uris.length} URI SANs; a SPIFFE certificate has exactly one` };
  const id = trySpiffeId(uris[0]!);
  if (!id) return { ok: false, reason: 'bad-spiffe-id', detail: `${JSON.stringify(uris[0]!.slice(0, 100))} is not a valid SPIFFE ID` };
  if (id.trustDomain !== trustDomain) return { ok: false, reason: 'other-trust-domain', detail: `${uris[0]} is not in trust domain ${trustDomain}` };
  if (cert.ca) return { ok: false, reason: 'ca-certificate', detail: `${uris[0]} presented a CA certificate as its own` };
  if (expected !== undefined && uris[0] !== expected) return { ok: false, reason: 'wrong-service', detail: `expected ${expected}, the peer presented ${uris[0]}` };
  return { ok: true, id: uris[0]! };
}
