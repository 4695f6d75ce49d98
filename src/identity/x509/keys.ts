import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { MeshError } from '../../core/index.js';
import { bitStringBytes, children, readWhole } from './der-reader.js';

export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/**
 * A fresh EC P-256 key pair, the one key type our certificates are signed with.
 *
 * @example
 * const { publicKey, privateKey } = generateKeyPair();
 */
export function generateKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** Refuses a key we cannot sign `ecdsa-with-SHA256` with, naming what it is instead. */
export function assertP256PrivateKey(key: KeyObject, what: string): void {
  if (key?.type !== 'private') throw new MeshError('MESH_ERR_IDENTITY', `${what} must be a private KeyObject`);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new MeshError('MESH_ERR_IDENTITY', `${what} must be an EC P-256 key, got ${key.asymmetricKeyType}${curve ? ` ${curve}` : ''}`);
  }
}

/**
 * The SubjectPublicKeyInfo DER of a public (or private) key. It is not assembled from the
 * JWK export, though that is ~20× faster on Node 20: a JWK export that triggers a GC which
 * frees a finished key-generation job can deadlock the process on the key's mutex.
 */
export function spkiDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.type !== 'public') throw new MeshError('MESH_ERR_IDENTITY', 'expected a public or private KeyObject');
  return pub.export({ type: 'spki', format: 'der' });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits, as openssl computes it. */
export function keyIdentifier(spki: Buffer): Buffer {
  const [, subjectPublicKey] = children(readWhole(spki));
  return createHash('sha1').update(bitStringBytes(subjectPublicKey!)).digest();
}
