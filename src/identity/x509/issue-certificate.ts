import { createPublicKey, type KeyObject, randomBytes, sign, type X509Certificate } from 'node:crypto';
import { MeshError } from '../../core/index.js';
import { parseSpiffeId } from '../spiffe-id.js';
import { issuerFields } from './certificate-fields.js';
import * as der from './der-writer.js';
import { encodeGeneralNames } from './general-names.js';
import { assertP256PrivateKey, keyIdentifier, spkiDer } from './keys.js';
import { Oid } from './oids.js';
import { toPem } from './pem.js';

/** The CA that signs a certificate, or 'self' for a root signed by its own key. */
export type CertificateIssuer = { readonly certificate: X509Certificate; readonly privateKey: KeyObject } | 'self';

export interface CertificateRequest {
  readonly subjectPublicKey: KeyObject;
  /** Optional: an X.509-SVID may have an empty subject (the SPIFFE ID is in the URI SAN). */
  readonly subjectCommonName?: string;
  /** The one URI SAN. */
  readonly spiffeId?: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly isCa: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly issuer: CertificateIssuer;
  /** Required with `issuer: 'self'`: the private half of `subjectPublicKey`. */
  readonly subjectPrivateKey?: KeyObject;
  /** Positive; default 128 random bits. */
  readonly serialNumber?: bigint;
}

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
const DIGITAL_SIGNATURE = 0;
const KEY_ENCIPHERMENT = 2;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

const ECDSA_SHA256 = der.sequence(der.oid(Oid.ecdsaWithSha256));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.oid(id), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/** 128 random bits as a positive INTEGER (a 0x00 is prepended when the high bit is set). */
function randomSerial(): Buffer {
  for (;;) {
    const bytes = randomBytes(16);
    if (bytes.some((b) => b !== 0)) return der.integer(bytes);
  }
}

export function nameDer(commonName: string | undefined): Buffer {
  if (commonName === undefined || commonName === '') return der.sequence();
  return der.sequence(der.set(der.sequence(der.oid(Oid.commonName), der.utf8String(commonName))));
}

/** An ECDSA-SHA256 signature in the DER form X.509 wants. */
export function signDer(tbs: Buffer, key: KeyObject): Buffer {
  return sign('sha256', tbs, { key, dsaEncoding: 'der' });
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new MeshError('MESH_ERR_IDENTITY', `issueCertificate: ${message}`);
}

/**
 * Issues an X.509 v3 certificate signed with ECDSA P-256 / SHA-256 and returns it as PEM.
 * Leaves get the X.509-SVID profile: CA:FALSE, digitalSignature, serverAuth + clientAuth, the
 * SPIFFE ID as the only URI SAN (critical when the subject is empty). CAs get CA:TRUE with
 * pathLen 0 and keyCertSign + cRLSign. Both carry subject and authority key identifiers.
 *
 * @example
 * const root = generateKeyPair();
 * const caPem = issueCertificate({ subjectPublicKey: root.publicKey, subjectPrivateKey: root.privateKey, issuer: 'self',
 *   subjectCommonName: 'inmesh shop.local CA', spiffeId: 'spiffe://shop.local', isCa: true, notBefore, notAfter });
 * const leaf = generateKeyPair();
 * const leafPem = issueCertificate({ subjectPublicKey: leaf.publicKey, spiffeId: 'spiffe://shop.local/svc/orders', isCa: false,
 *   notBefore, notAfter, issuer: { certificate: new X509Certificate(caPem), privateKey: root.privateKey } });
 */
export function issueCertificate(req: CertificateRequest): string {
  check(req.notBefore instanceof Date && Number.isFinite(req.notBefore.getTime()), 'notBefore must be a valid Date');
  check(req.notAfter instanceof Date && Number.isFinite(req.notAfter.getTime()), 'notAfter must be a valid Date');
  check(req.notAfter.getTime() > req.notBefore.getTime(), `notAfter (${req.notAfter.toISOString()}) must be after notBefore (${req.notBefore.toISOString()})`);
  if (req.serialNumber !== undefined) check(typeof req.serialNumber === 'bigint' && req.serialNumber > 0n, 'serialNumber must be a positive bigint');
  const spiffeId = req.spiffeId === undefined ? undefined : parseSpiffeId(req.spiffeId).toString();
  const dnsNames = req.dnsNames ?? [];
  const ipAddresses = req.ipAddresses ?? [];
  check(req.isCa || spiffeId !== undefined || req.subjectCommonName !== undefined || dnsNames.length > 0 || ipAddresses.length > 0, 'a leaf needs a SPIFFE ID, a name or an address');

  const subjectSpki = spkiDer(req.subjectPublicKey);
  const subjectKeyId = keyIdentifier(subjectSpki);
  let signingKey: KeyObject;
  let issuerName: Buffer;
  let authorityKeyId: Buffer;
  if (req.issuer === 'self') {
    check(req.subjectPrivateKey !== undefined, "issuer: 'self' needs subjectPrivateKey");
    signingKey = req.subjectPrivateKey!;
    assertP256PrivateKey(signingKey, 'subjectPrivateKey');
    check(createPublicKey(signingKey).export({ type: 'spki', format: 'der' }).equals(subjectSpki), 'subjectPrivateKey is not the private half of subjectPublicKey');
    issuerName = nameDer(req.subjectCommonName);
    authorityKeyId = subjectKeyId;
  } else {
    check(req.issuer.certificate.ca, 'the issuer certificate is not a CA (basicConstraints CA:FALSE)');
    signingKey = req.issuer.privateKey;
    assertP256PrivateKey(signingKey, 'issuer.privateKey');
    check(req.issuer.certificate.checkPrivateKey(signingKey), "issuer.privateKey does not match the issuer certificate's key");
    const fields = issuerFields(req.issuer.certificate);
    issuerName = fields.subjectDer;
    authorityKeyId = fields.keyIdentifier;
  }

  const subject = nameDer(req.subjectCommonName);
  const subjectEmpty = subject.length === 2;
  check(!(req.issuer === 'self' && subjectEmpty), 'a self-signed certificate needs a subjectCommonName (its issuer name)');
  const leafUsage = req.subjectPublicKey.asymmetricKeyType === 'rsa' ? [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT] : [DIGITAL_SIGNATURE];
  const hasAltNames = spiffeId !== undefined || dnsNames.length > 0 || ipAddresses.length > 0;
  // RFC 5280 §4.1.2.6: with an empty subject the SAN is the certificate's only name.
  check(!subjectEmpty || hasAltNames, 'a certificate with an empty subject needs a SPIFFE ID, DNS name or IP address');
  const extensions = [
    extension(Oid.basicConstraints, true, req.isCa ? der.sequence(der.boolean(true), der.integer(0)) : der.sequence()),
    extension(Oid.keyUsage, true, der.namedBits(req.isCa ? [KEY_CERT_SIGN, CRL_SIGN] : leafUsage)),
    ...(req.isCa ? [] : [extension(Oid.extKeyUsage, false, der.sequence(der.oid(Oid.serverAuth), der.oid(Oid.clientAuth)))]),
    ...(hasAltNames
      ? [extension(Oid.subjectAltName, subjectEmpty, encodeGeneralNames({ uris: spiffeId ? [spiffeId] : [], dnsNames, ipAddresses }))]
      : []),
    extension(Oid.subjectKeyIdentifier, false, der.octetString(subjectKeyId)),
    extension(Oid.authorityKeyIdentifier, false, der.sequence(der.implicit(0, authorityKeyId))),
  ];

  const tbs = der.sequence(
    der.explicit(0, der.integer(2)), // v3
    req.serialNumber === undefined ? randomSerial() : der.integer(req.serialNumber),
    ECDSA_SHA256,
    issuerName,
    der.sequence(der.time(req.notBefore), der.time(req.notAfter)),
    subject,
    subjectSpki,
    der.explicit(3, der.sequence(...extensions)),
  );
  return toPem('CERTIFICATE', der.sequence(tbs, ECDSA_SHA256, der.bitString(signDer(tbs, signingKey))));
}
