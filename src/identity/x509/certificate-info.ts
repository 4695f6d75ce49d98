import { X509Certificate } from 'node:crypto';
import { MeshError } from '../../core/index.js';
import { trySpiffeId } from '../spiffe-id.js';

/** One `Kind:value` entry of Node's `subjectAltName` text, e.g. `{ kind: 'URI', value: 'spiffe://…' }`. */
export interface AltNameEntry {
  readonly kind: string;
  readonly value: string;
}

/**
 * Splits Node's `X509Certificate.subjectAltName` text. Entries are joined by ", ", and a value
 * that holds a comma, quote or other unsafe character is written as a JSON string
 * (`URI:"spiffe://td/a\u002cb"`), so a plain split on commas would cut such a value in two
 * and could invent an entry that is not in the certificate.
 */
export function parseSubjectAltName(text: string | undefined): AltNameEntry[] {
  const out: AltNameEntry[] = [];
  if (!text) return out;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) throw new MeshError('MESH_ERR_IDENTITY', `subjectAltName: no "kind:" at ${i} in ${JSON.stringify(text)}`);
    const kind = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new MeshError('MESH_ERR_IDENTITY', `subjectAltName: unterminated quoted value in ${JSON.stringify(text)}`);
      value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      next = j + 1;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      next = comma < 0 ? text.length : comma;
      value = text.slice(colon + 1, next);
    }
    out.push({ kind, value });
    if (next < text.length) {
      if (!text.startsWith(', ', next)) throw new MeshError('MESH_ERR_IDENTITY', `subjectAltName: expected ", " at ${next} in ${JSON.stringify(text)}`);
      next += 2;
    }
    i = next;
  }
  return out;
}

/**
 * The SPIFFE IDs in a certificate's URI SANs, only those valid under the SPIFFE ID spec. An
 * X.509-SVID has exactly one; a caller verifying a peer should refuse any other count.
 *
 * @example
 * spiffeIdsOf(tlsSocket.getPeerX509Certificate()!); // ['spiffe://shop.local/svc/orders']
 */
export function spiffeIdsOf(cert: X509Certificate): string[] {
  return parseSubjectAltName(cert.subjectAltName)
    .filter((e) => e.kind === 'URI' && trySpiffeId(e.value) !== undefined)
    .map((e) => e.value);
}

/** What `inmesh cert inspect` shows of a certificate. */
export interface CertificateDescription {
  readonly spiffeIds: readonly string[];
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Upper-case hex, as openssl prints it without colons. */
  readonly serialNumber: string;
  readonly isCa: boolean;
  /** SHA-256 of the DER, colon-separated hex. */
  readonly fingerprint256: string;
}

/**
 * The fields of a PEM certificate a person checks first.
 *
 * @example
 * const d = describeCertificate(readFileSync('.inmesh/ca.crt', 'utf8'));
 * console.log(d.spiffeIds, d.notAfter.toISOString(), d.isCa);
 */
export function describeCertificate(pem: string | X509Certificate): CertificateDescription {
  let cert: X509Certificate;
  try {
    cert = typeof pem === 'string' ? new X509Certificate(pem) : pem;
  } catch (e) {
    throw new MeshError('MESH_ERR_IDENTITY', `not a readable certificate: ${(e as Error).message}`, { cause: e });
  }
  return {
    spiffeIds: spiffeIdsOf(cert),
    subject: cert.subject ?? '',
    issuer: cert.issuer ?? '',
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    serialNumber: cert.serialNumber.toUpperCase(),
    isCa: cert.ca,
    fingerprint256: cert.fingerprint256,
  };
}
