import { generateKeyPairSync } from 'node:crypto';
import { isIP } from 'node:net';
import type { CertificateAuthority } from '../../experimental.js';

/** The daemon's own certificate lives 30 days and is renewed after 10, while the process runs. */
export const DAEMON_CERT_TTL_MS = 30 * 86_400_000;
export const DAEMON_CERT_RENEW_MS = 10 * 86_400_000;

export interface DaemonCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * The daemon's serving certificate, from its own CA: `spiffe://<td>/control`, and IP/DNS SANs
 * for its listen host and loopback, so workloads and curl verify it against the bundle. A
 * wildcard listen address (0.0.0.0, ::) is no name anyone dials, so it is left out.
 */
export function issueDaemonCertificate(ca: CertificateAuthority, listenHost: string): DaemonCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ips = new Set(['127.0.0.1', '::1']);
  const dns = new Set(['localhost']);
  const host = listenHost.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    if (host !== '0.0.0.0' && host !== '::') ips.add(host);
  } else if (host !== '') dns.add(host.toLowerCase());
  const certPem = ca.issue({ publicKey, spiffeId: `spiffe://${ca.trustDomain}/control`, ttl: DAEMON_CERT_TTL_MS, ipAddresses: [...ips], dnsNames: [...dns] });
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
