import type { X509Certificate } from 'node:crypto';
import { MeshError } from '../../core/index.js';
import { children, DerError, type DerNode, decodeOid, expectTag, readNode, readWhole } from './der-reader.js';
import { Tag } from './der-writer.js';
import { keyIdentifier } from './keys.js';
import { Oid } from './oids.js';

/** What issuing under a CA needs from its certificate, which X509Certificate does not expose as DER. */
export interface IssuerFields {
  /** The subject Name exactly as encoded: a child's issuer must match it byte for byte. */
  readonly subjectDer: Buffer;
  /** The CA's subjectKeyIdentifier (or one computed from its key), for the child's authorityKeyIdentifier. */
  readonly keyIdentifier: Buffer;
}

function tbsFields(raw: Buffer): DerNode[] {
  const [tbs] = children(expectTag(readWhole(raw), Tag.SEQUENCE, 'Certificate'));
  const fields = children(expectTag(tbs, Tag.SEQUENCE, 'TBSCertificate'));
  // version [0] is optional (v1 certificates); the rest are positional.
  return fields[0]?.tag === (Tag.CONTEXT | Tag.CONSTRUCTED | 0) ? fields.slice(1) : fields;
}

/** The subject and key identifier of an issuing certificate. */
export function issuerFields(cert: X509Certificate): IssuerFields {
  try {
    const [, , , , subject, spki, ...optional] = tbsFields(cert.raw);
    const subjectDer = expectTag(subject, Tag.SEQUENCE, 'subject').raw;
    const spkiDer = expectTag(spki, Tag.SEQUENCE, 'subjectPublicKeyInfo').raw;
    const extensionsTag = Tag.CONTEXT | Tag.CONSTRUCTED | 3;
    const extensions = optional.find((n) => n.tag === extensionsTag);
    if (extensions) {
      for (const ext of children(expectTag(readNode(extensions.content), Tag.SEQUENCE, 'extensions'))) {
        const [id, ...rest] = children(ext);
        if (decodeOid(expectTag(id, Tag.OID, 'extnID').content) !== Oid.subjectKeyIdentifier) continue;
        const value = expectTag(rest[rest.length - 1], Tag.OCTET_STRING, 'extnValue');
        return { subjectDer, keyIdentifier: expectTag(readWhole(value.content), Tag.OCTET_STRING, 'keyIdentifier').content };
      }
    }
    return { subjectDer, keyIdentifier: keyIdentifier(spkiDer) };
  } catch (e) {
    if (e instanceof DerError) throw new MeshError('MESH_ERR_IDENTITY', `the issuer certificate cannot be read: ${e.message}`, { cause: e });
    throw e;
  }
}
