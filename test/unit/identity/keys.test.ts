import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assertP256PrivateKey, generateKeyPair, spkiDer } from '../../../src/identity/x509/keys.js';

describe('spkiDer', () => {
  it('gives the public SubjectPublicKeyInfo for a public and for a private key', () => {
    const { publicKey, privateKey } = generateKeyPair();
    const expected = publicKey.export({ type: 'spki', format: 'der' });
    expect(spkiDer(publicKey)).toEqual(expected);
    expect(spkiDer(privateKey)).toEqual(expected);
  });
});

describe('assertP256PrivateKey', () => {
  it('accepts a P-256 private key and names what else it was given', () => {
    expect(() => assertP256PrivateKey(generateKeyPair().privateKey, 'k')).not.toThrow();
    expect(() => assertP256PrivateKey(generateKeyPair().publicKey, 'k')).toThrow('k must be a private KeyObject');
    expect(() => assertP256PrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'k')).toThrow('k must be an EC P-256 key, got ec secp384r1');
    expect(() => assertP256PrivateKey(generateKeyPairSync('ed25519').privateKey, 'k')).toThrow('got ed25519');
  });
});
