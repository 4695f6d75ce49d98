import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { MeshError } from '../core/index.js';
import { parseSpiffeId, parseTrustDomain, type SpiffeId } from './spiffe-id.js';
import { spiffeIdsOf } from './x509/certificate-info.js';
import { parseCsr } from './x509/csr.js';
import { issueCertificate } from './x509/issue-certificate.js';
import { generateKeyPair } from './x509/keys.js';
import { splitPemCertificates } from './x509/pem.js';

/** How far back a leaf's notBefore goes, so a peer whose clock is a little behind accepts it (as SPIRE does). */
export const CLOCK_SKEW_MS = 60_000;

export interface CreateCaOptions {
  readonly trustDomain: string;
  /** Lifetime of the root, in ms. */
  readonly ttl: number;
  /** Wall-clock time of creation; default now. */
  readonly now?: Date;
}

export interface LoadCaOptions {
  readonly trustDomain: string;
  readonly certificatePem: string;
  readonly privateKey: KeyObject | string;
}

export interface IssueLeafOptions {
  readonly publicKey: KeyObject;
  readonly spiffeId: string | SpiffeId;
  /** Wanted lifetime in ms; cut short at the CA's own notAfter. */
  readonly ttl: number;
  /** Extra SANs for clients outside the mesh (curl) that check host names. */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly now?: Date;
}

export interface SignCsrOptions {
  /** When set, the request must ask for exactly this ID (the identity the caller proved otherwise). */
  readonly expectedSpiffeId?: string | SpiffeId;
  readonly ttl: number;
  /**
   * DNS and IP SANs to put in the certificate. Those in the request are ignored: which host
   * names a workload may answer for is the CA's decision, not the requester's.
   */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly now?: Date;
}

function refuse(message: string): MeshError {
  return new MeshError('MESH_ERR_IDENTITY', message);
}

/**
 * A trust domain's certificate authority: a self-signed EC P-256 root and its key, issuing
 * X.509-SVIDs for workloads of that trust domain only. During a rotation the old roots stay
 * in the trust bundle (`trustAlso`) until the leaves they signed have expired.
 *
 * @example
 * const ca = CertificateAuthority.create({ trustDomain: 'shop.local', ttl: 365 * 86_400_000 });
 * const { publicKey } = generateKeyPair();
 * const leafPem = ca.issue({ publicKey, spiffeId: 'spiffe://shop.local/svc/orders', ttl: 3_600_000 });
 * tls.createServer({ cert: leafPem, key, ca: ca.bundlePem, requestCert: true });
 */
export class CertificateAuthority {
  readonly trustDomain: string;
  readonly certificate: X509Certificate;
  readonly certificatePem: string;
  readonly #privateKey: KeyObject;
  readonly #issuer: { certificate: X509Certificate; privateKey: KeyObject };
  readonly #alsoTrusted = new Map<string, string>();

  private constructor(trustDomain: string, certificatePem: string, privateKey: KeyObject) {
    this.trustDomain = trustDomain;
    this.certificatePem = certificatePem;
    this.certificate = new X509Certificate(certificatePem);
    this.#privateKey = privateKey;
    this.#issuer = { certificate: this.certificate, privateKey };
  }

  /** A new root for `trustDomain`: subject `inmesh <td> CA`, URI SAN `spiffe://<td>`. */
  static create(o: CreateCaOptions): CertificateAuthority {
    const trustDomain = parseTrustDomain(o.trustDomain);
    if (!(o.ttl > 0) || !Number.isFinite(o.ttl)) throw refuse(`CertificateAuthority.create: ttl must be a positive number of ms, got ${o.ttl}`);
    const now = o.now ?? new Date();
    const keys = generateKeyPair();
    const pem = issueCertificate({
      subjectPublicKey: keys.publicKey,
      subjectPrivateKey: keys.privateKey,
      issuer: 'self',
      subjectCommonName: `inmesh ${trustDomain} CA`,
      spiffeId: `spiffe://${trustDomain}`,
      isCa: true,
      notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
      notAfter: new Date(now.getTime() + o.ttl),
    });
    return new CertificateAuthority(trustDomain, pem, keys.privateKey);
  }

  /**
   * A CA from its stored certificate and key. Refuses a certificate that is not a CA, a key
   * that is not its key, and a CA of another trust domain.
   */
  static fromPem(o: LoadCaOptions): CertificateAuthority {
    const trustDomain = parseTrustDomain(o.trustDomain);
    let cert: X509Certificate;
    let key: KeyObject;
    try {
      cert = new X509Certificate(o.certificatePem);
    } catch (e) {
      throw new MeshError('MESH_ERR_IDENTITY', `the CA certificate cannot be read: ${(e as Error).message}`, { cause: e });
    }
    try {
      key = typeof o.privateKey === 'string' ? createPrivateKey(o.privateKey) : o.privateKey;
    } catch (e) {
      throw new MeshError('MESH_ERR_IDENTITY', `the CA private key cannot be read: ${(e as Error).message}`, { cause: e });
    }
    if (!cert.ca) throw refuse(`the certificate of ${cert.subject} is not a CA (basicConstraints CA:FALSE)`);
    if (!cert.checkPrivateKey(key)) throw refuse(`the CA private key does not belong to the CA certificate ${cert.subject}`);
    const domains = spiffeIdsOf(cert).map((id) => parseSpiffeId(id).trustDomain);
    if (domains.length > 0 && !domains.includes(trustDomain)) {
      throw refuse(`the CA certificate is for trust domain ${JSON.stringify(domains[0])}, not ${JSON.stringify(trustDomain)}`);
    }
    if (domains.length === 0) throw refuse(`the CA certificate names no trust domain (no spiffe:// URI SAN); expected spiffe://${trustDomain}`);
    return new CertificateAuthority(trustDomain, cert.toString(), key);
  }

  get notBefore(): Date {
    return new Date(this.certificate.validFrom);
  }

  get notAfter(): Date {
    return new Date(this.certificate.validTo);
  }

  /** The CA key as PKCS#8 PEM, for the store that keeps it (never for the wire). */
  exportPrivateKeyPem(): string {
    return this.#privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  }

  /**
   * A leaf X.509-SVID for `spiffeId`, which must be a workload of this trust domain. notBefore
   * is backdated by CLOCK_SKEW_MS; notAfter is cut at the CA's own notAfter.
   */
  issue(o: IssueLeafOptions): string {
    const id = typeof o.spiffeId === 'string' ? parseSpiffeId(o.spiffeId) : o.spiffeId;
    if (!id.isMemberOf(this.trustDomain)) throw refuse(`${id} is not in trust domain ${this.trustDomain}; this CA issues only for spiffe://${this.trustDomain}/…`);
    if (id.path === '') throw refuse(`${id} names the trust domain itself; a workload's ID needs a path`);
    if (!(o.ttl > 0) || !Number.isFinite(o.ttl)) throw refuse(`issue: ttl must be a positive number of ms, got ${o.ttl}`);
    const now = (o.now ?? new Date()).getTime();
    const caNotBefore = this.notBefore.getTime();
    const caNotAfter = this.notAfter.getTime();
    if (now >= caNotAfter) throw refuse(`the CA of ${this.trustDomain} expired at ${this.notAfter.toISOString()}`);
    return issueCertificate({
      subjectPublicKey: o.publicKey,
      spiffeId: id.toString(),
      dnsNames: o.dnsNames,
      ipAddresses: o.ipAddresses,
      isCa: false,
      notBefore: new Date(Math.max(now - CLOCK_SKEW_MS, caNotBefore)),
      notAfter: new Date(Math.min(now + o.ttl, caNotAfter)),
      issuer: this.#issuer,
    });
  }

  /**
   * Signs a PKCS#10 request after verifying its signature. It must carry exactly one URI SAN,
   * a SPIFFE ID of this trust domain, and equal to `expectedSpiffeId` when one is given.
   */
  signCsr(csrPem: string, o: SignCsrOptions): string {
    const csr = parseCsr(csrPem);
    if (csr.uris.length !== 1 || csr.spiffeIds.length !== 1) {
      throw refuse(`the certificate request must name exactly one SPIFFE ID as its URI SAN, it has ${csr.uris.length === 0 ? 'none' : JSON.stringify(csr.uris)}`);
    }
    const id = parseSpiffeId(csr.spiffeIds[0]!);
    if (!id.isMemberOf(this.trustDomain)) throw refuse(`the certificate request asks for ${id}, which is not in trust domain ${this.trustDomain}`);
    if (o.expectedSpiffeId !== undefined && id.toString() !== o.expectedSpiffeId.toString()) {
      throw refuse(`the certificate request asks for ${id}, but this caller may only get ${o.expectedSpiffeId}`);
    }
    return this.issue({ publicKey: csr.publicKey, spiffeId: id, ttl: o.ttl, dnsNames: o.dnsNames, ipAddresses: o.ipAddresses, now: o.now });
  }

  /** Also trusts another root of this trust domain (the previous one, during a rotation). */
  trustAlso(certPem: string): void {
    const certs = splitPemCertificates(certPem);
    if (certs.length === 0) throw refuse('trustAlso: no CERTIFICATE block in the PEM');
    for (const pem of certs) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch (e) {
        throw new MeshError('MESH_ERR_IDENTITY', `trustAlso: a certificate cannot be read: ${(e as Error).message}`, { cause: e });
      }
      if (!cert.ca) throw refuse(`trustAlso: ${cert.subject || 'the certificate'} is not a CA`);
      if (cert.fingerprint256 !== this.certificate.fingerprint256) this.#alsoTrusted.set(cert.fingerprint256, cert.toString());
    }
  }

  /** The trust bundle peers verify against: this root first, then the roots still trusted. */
  get bundlePem(): string {
    return [this.certificatePem, ...this.#alsoTrusted.values()].join('');
  }
}
