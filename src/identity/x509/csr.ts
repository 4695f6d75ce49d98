import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { MeshError } from '../../core/index.js';
import { parseSpiffeId, trySpiffeId } from '../spiffe-id.js';
import { bitStringBytes, children, DerError, type DerNode, decodeOid, expectTag, readWhole } from './der-reader.js';
import * as der from './der-writer.js';
import { Tag } from './der-writer.js';
import { decodeGeneralNames, encodeGeneralNames } from './general-names.js';
import { nameDer, signDer } from './issue-certificate.js';
import { assertP256PrivateKey, spkiDer } from './keys.js';
import { Oid } from './oids.js';
import { fromPem, toPem } from './pem.js';

export interface CsrOptions {
  readonly privateKey: KeyObject;
  /** Derived from `privateKey` when left out. */
  readonly publicKey?: KeyObject;
  readonly spiffeId: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

/** What a verified PKCS#10 request asks for. */
export interface ParsedCsr {
  readonly publicKey: KeyObject;
  /** URI SANs that are SPIFFE IDs. */
  readonly spiffeIds: readonly string[];
  /** Every URI SAN, SPIFFE or not (a CA refuses a request whose URIs are not exactly one SPIFFE ID). */
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/**
 * A PKCS#10 certificate request (RFC 2986) for `spiffeId`, signed with `privateKey`: the key
 * stays here, only the request travels to the CA.
 *
 * @example
 * const { privateKey } = generateKeyPair();
 * const csrPem = createCsr({ privateKey, spiffeId: 'spiffe://shop.local/svc/orders' });
 */
export function createCsr(o: CsrOptions): string {
  assertP256PrivateKey(o.privateKey, 'createCsr privateKey');
  const spki = spkiDer(o.publicKey ?? o.privateKey);
  if (o.publicKey && !spkiDer(o.privateKey).equals(spki)) throw new MeshError('MESH_ERR_IDENTITY', 'createCsr: publicKey is not the public half of privateKey');
  const san = encodeGeneralNames({ uris: [parseSpiffeId(o.spiffeId).toString()], dnsNames: o.dnsNames ?? [], ipAddresses: o.ipAddresses ?? [] });
  const extensionRequest = der.sequence(
    der.oid(Oid.extensionRequest),
    der.set(der.sequence(der.sequence(der.oid(Oid.subjectAltName), der.octetString(san)))),
  );
  const info = der.sequence(der.integer(0), nameDer(undefined), spki, der.implicit(0, extensionRequest, true));
  const algorithm = der.sequence(der.oid(Oid.ecdsaWithSha256));
  return toPem('CERTIFICATE REQUEST', der.sequence(info, algorithm, der.bitString(signDer(info, o.privateKey))));
}

function readExtensionRequest(attributes: DerNode | undefined): DerNode | undefined {
  if (!attributes) return undefined;
  for (const attribute of children(attributes)) {
    const [type, values] = children(expectTag(attribute, Tag.SEQUENCE, 'attribute'));
    if (decodeOid(expectTag(type, Tag.OID, 'attribute type').content) !== Oid.extensionRequest) continue;
    const [extensions] = children(expectTag(values, Tag.SET, 'extensionRequest values'));
    for (const ext of children(expectTag(extensions, Tag.SEQUENCE, 'extensions'))) {
      const [id, ...rest] = children(expectTag(ext, Tag.SEQUENCE, 'extension'));
      if (decodeOid(expectTag(id, Tag.OID, 'extnID').content) === Oid.subjectAltName) {
        return expectTag(rest[rest.length - 1], Tag.OCTET_STRING, 'subjectAltName value');
      }
    }
  }
  return undefined;
}

/**
 * Reads a PKCS#10 request and verifies its self-signature (ECDSA P-256 with SHA-256 only), so
 * the requester holds the key it asks a certificate for. Throws MESH_ERR_IDENTITY on anything
 * malformed, unsigned or signed with another key.
 *
 * @example
 * const { publicKey, spiffeIds } = parseCsr(csrPem); // spiffeIds: ['spiffe://shop.local/svc/orders']
 */
export function parseCsr(pem: string): ParsedCsr {
  const bytes = fromPem('CERTIFICATE REQUEST', pem, 'certificate request');
  let info: DerNode;
  let algorithm: string;
  let signature: Buffer;
  let publicKey: KeyObject;
  let san: DerNode | undefined;
  try {
    const [infoNode, algorithmNode, signatureNode, extra] = children(expectTag(readWhole(bytes), Tag.SEQUENCE, 'CertificationRequest'));
    if (extra) throw new DerError('CertificationRequest has extra fields');
    info = expectTag(infoNode, Tag.SEQUENCE, 'certificationRequestInfo');
    algorithm = decodeOid(expectTag(children(expectTag(algorithmNode, Tag.SEQUENCE, 'signatureAlgorithm'))[0], Tag.OID, 'algorithm').content);
    signature = bitStringBytes(expectTag(signatureNode, Tag.BIT_STRING, 'signature'));
    const [version, subject, spki, attributes] = children(info);
    if (!expectTag(version, Tag.INTEGER, 'version').content.equals(Buffer.of(0))) throw new DerError('version is not 0 (v1)');
    expectTag(subject, Tag.SEQUENCE, 'subject');
    publicKey = createPublicKey({ key: expectTag(spki, Tag.SEQUENCE, 'subjectPKInfo').raw, format: 'der', type: 'spki' });
    san = readExtensionRequest(attributes && expectTag(attributes, Tag.CONTEXT | Tag.CONSTRUCTED | 0, 'attributes'));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new MeshError('MESH_ERR_IDENTITY', `certificate request is malformed: ${reason}`, { cause: e });
  }
  if (algorithm !== Oid.ecdsaWithSha256) throw new MeshError('MESH_ERR_IDENTITY', `certificate request is signed with ${algorithm}; only ecdsa-with-SHA256 is accepted`);
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new MeshError('MESH_ERR_IDENTITY', `certificate request key is ${publicKey.asymmetricKeyType}; only EC P-256 is accepted`);
  }
  let verified = false;
  try {
    verified = verify('sha256', info.raw, { key: publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    verified = false;
  }
  if (!verified) throw new MeshError('MESH_ERR_IDENTITY', 'certificate request signature does not verify with its own key');
  let names = { uris: [] as readonly string[], dnsNames: [] as readonly string[], ipAddresses: [] as readonly string[] };
  if (san) {
    try {
      names = decodeGeneralNames(san.content);
    } catch (e) {
      throw new MeshError('MESH_ERR_IDENTITY', `certificate request subjectAltName is malformed: ${(e as Error).message}`, { cause: e });
    }
  }
  const spiffeIds = names.uris.filter((u) => trySpiffeId(u) !== undefined);
  return { publicKey, spiffeIds, uris: names.uris, dnsNames: names.dnsNames, ipAddresses: names.ipAddresses };
}
