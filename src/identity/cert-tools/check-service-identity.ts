import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { loadOrCreateDevCa } from '../dev-ca-store.js';
import { checkPeer } from '../peer-identity.js';
import { parseSpiffeId, serviceSpiffeId } from '../spiffe-id.js';
import { issueWorkloadCredentials } from '../start-identity.js';
import { describeCertificate, type CertificateDescription } from '../x509/certificate-info.js';

/** The service name of the client certificate the check presents, so strict servers let it finish the handshake. */
export const CHECK_CLIENT_SERVICE = 'inmesh-cli';

export interface CheckServiceIdentityOptions {
  readonly trustDomain: string;
  /** A trust bundle file; default the dev CA's certificate in `devCaDir`. */
  readonly caFile?: string;
  /** The dev CA: the default trust bundle, and the issuer of the client certificate when it exists. */
  readonly devCaDir: string;
  /** The SPIFFE ID the server must present. */
  readonly expect?: string;
  /** Default 5 s. */
  readonly timeoutMs?: number;
}

export type IdentityCheckFailure = 'unreachable' | 'client-refused' | 'timeout' | 'no-trust-bundle' | 'expired' | 'not-yet-valid' | 'untrusted' | 'spiffe';

export type ServiceIdentityCheck =
  | { readonly ok: true; readonly spiffeId: string; readonly certificate: CertificateDescription; readonly clientCertificate: boolean }
  | { readonly ok: false; readonly reason: IdentityCheckFailure; readonly detail: string; readonly certificate?: CertificateDescription };

/** `https://host:port/…` or `host:port`; IPv6 literals in brackets. */
function parseTarget(target: string): { host: string; port: number } {
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `https://${target}`);
  if (url.protocol !== 'https:') throw new RangeError(`${target}: only https:// (or host:port) can be checked`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 443 : Number(url.port) };
}

const fail = (reason: IdentityCheckFailure, detail: string, certificate?: CertificateDescription): ServiceIdentityCheck =>
  ({ ok: false, reason, detail, ...(certificate && { certificate }) });

/** OpenSSL's verify codes that mean a validity window, not an unknown signer. */
function chainFailure(code: string, cert: CertificateDescription): ServiceIdentityCheck {
  if (code === 'CERT_HAS_EXPIRED') return fail('expired', `the certificate expired at ${cert.notAfter.toISOString()} (${code})`, cert);
  if (code === 'CERT_NOT_YET_VALID') return fail('not-yet-valid', `the certificate is valid only from ${cert.notBefore.toISOString()} (${code})`, cert);
  return fail('untrusted', `untrusted chain: ${code} (issuer ${cert.issuer})`, cert);
}

async function clientCredentials(o: CheckServiceIdentityOptions): Promise<{ cert: string; key: string } | undefined> {
  const dir = resolve(o.devCaDir);
  // Only an existing dev CA: a check must not leave a new CA behind as a side effect.
  if (!existsSync(join(dir, 'ca.crt'))) return undefined;
  const ca = await loadOrCreateDevCa(dir, o.trustDomain);
  const c = issueWorkloadCredentials(ca, serviceSpiffeId(o.trustDomain, CHECK_CLIENT_SERVICE).toString(), 300_000);
  return { cert: c.certPem, key: c.keyPem };
}

async function trustBundle(o: CheckServiceIdentityOptions): Promise<string | undefined> {
  const file = o.caFile ?? join(resolve(o.devCaDir), 'ca.crt');
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

interface HandshakeSeen {
  readonly peer: X509Certificate | undefined;
  /** OpenSSL's verify code when the chain did not verify against the bundle. */
  readonly chainError: string | undefined;
  /** The server ended the connection right after the handshake, as one does that refuses the client's certificate. */
  readonly closedEarly: boolean;
}

/**
 * A TLS handshake and what it showed. In TLS 1.3 the client is connected before the server has
 * judged the client's certificate: a server that accepts it sends a session ticket, one that
 * refuses it closes the connection; a server that sends no tickets is taken as accepting after
 * a short wait.
 */
function handshake(host: string, port: number, credentials: { ca: string; cert?: string; key?: string }, timeoutMs: number): Promise<HandshakeSeen | ServiceIdentityCheck> {
  return new Promise((done) => {
    const s = connect({ host, port, ...credentials, rejectUnauthorized: false, checkServerIdentity: () => undefined, ...(isIP(host) === 0 && { servername: host }), ALPNProtocols: ['http/1.1'] });
    let seen: Omit<HandshakeSeen, 'closedEarly'> | undefined;
    let grace: NodeJS.Timeout | undefined;
    const finish = (r: HandshakeSeen | ServiceIdentityCheck) => {
      clearTimeout(timer);
      clearTimeout(grace);
      s.destroy();
      done(r);
    };
    const timer = setTimeout(() => finish(fail('timeout', `no TLS handshake with ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    s.once('secureConnect', () => {
      // Typed as an Error, but Node sets OpenSSL's code as a string (CERT_HAS_EXPIRED).
      seen = { peer: s.getPeerX509Certificate(), chainError: s.authorized ? undefined : String(s.authorizationError as unknown) };
      if (s.getProtocol() !== 'TLSv1.3') return finish({ ...seen, closedEarly: false });
      grace = setTimeout(() => finish({ ...seen!, closedEarly: false }), Math.min(500, timeoutMs));
      s.once('session', () => finish({ ...seen!, closedEarly: false }));
      // Reading is what delivers the ticket or the end of the connection.
      s.resume();
    });
    s.once('close', () => {
      if (seen) finish({ ...seen, closedEarly: true });
    });
    s.once('error', (e) => {
      if (seen) finish({ ...seen, closedEarly: true });
      else finish(fail('unreachable', `cannot complete TLS with ${host}:${port}: ${e.message}`));
    });
  });
}

/**
 * Connects to a server with TLS and checks what a mesh client checks: its chain against the
 * trust bundle, then the SPIFFE rules (one URI SAN, a valid ID in the trust domain, not a CA,
 * the expected ID). Host names are not checked: in the mesh the SPIFFE ID is the identity.
 *
 * @example
 * const r = await checkServiceIdentity('https://127.0.0.1:8443', { trustDomain: 'shop.local', devCaDir: '.inmesh', expect: 'spiffe://shop.local/svc/orders' });
 * if (!r.ok) console.error(r.reason, r.detail);
 */
export async function checkServiceIdentity(target: string, o: CheckServiceIdentityOptions): Promise<ServiceIdentityCheck> {
  const { host, port } = parseTarget(target);
  // A typo in --expect would otherwise read as the server presenting the wrong identity.
  if (o.expect !== undefined) parseSpiffeId(o.expect);
  const ca = await trustBundle(o);
  if (ca === undefined) return fail('no-trust-bundle', o.caFile ? `cannot read the trust bundle ${o.caFile}` : `no dev CA in ${o.devCaDir} to trust; pass --ca FILE`);
  const client = await clientCredentials(o);
  const timeoutMs = o.timeoutMs ?? 5000;
  const seen = await handshake(host, port, { ca, ...client }, timeoutMs);
  if ('ok' in seen) return seen;
  const { peer } = seen;
  if (!peer) return fail('untrusted', 'the server presented no certificate');
  const certificate = describeCertificate(peer);
  if (seen.chainError !== undefined) return chainFailure(seen.chainError, certificate);
  const spiffe = checkPeer(peer, o.trustDomain, o.expect);
  if (!spiffe.ok) return fail('spiffe', spiffe.detail, certificate);
  if (seen.closedEarly && client) return fail('client-refused', `the server closed the connection without accepting our client certificate (${serviceSpiffeId(o.trustDomain, CHECK_CLIENT_SERVICE)})`, certificate);
  return { ok: true, spiffeId: spiffe.id, certificate, clientCertificate: client !== undefined };
}
