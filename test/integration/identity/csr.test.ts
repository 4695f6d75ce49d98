import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsr, generateKeyPair, parseCsr } from '../../../src/identity/index.js';
import { opensslWorkspace } from './openssl.js';

const ws = opensslWorkspace();
afterAll(() => ws.cleanup());

const keys = generateKeyPair();
const csrPem = createCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/orders', dnsNames: ['orders'] });

function pemWith(der: Buffer): string {
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}
const csrDer = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

describe('createCsr', () => {
  it('writes a request openssl verifies, with the SAN in an extension request', () => {
    const r = ws.run('req', '-in', ws.file('a.csr', csrPem), '-verify', '-noout', '-text');
    expect(r.status).toBe(0);
    expect(r.output).toContain('self-signature verify OK');
    expect(r.output).toContain('Requested Extensions:');
    expect(r.output).toContain('URI:spiffe://shop.local/svc/orders, DNS:orders');
    expect(r.output).toContain('ecdsa-with-SHA256');
  });

  it('derives the public key when none is given, and refuses a mismatched one or a bad ID', () => {
    expect(parseCsr(createCsr({ privateKey: keys.privateKey, spiffeId: 'spiffe://shop.local/svc/a' })).spiffeIds).toEqual(['spiffe://shop.local/svc/a']);
    expect(() => createCsr({ privateKey: keys.privateKey, publicKey: generateKeyPair().publicKey, spiffeId: 'spiffe://td/a' })).toThrow(/not the public half/);
    expect(() => createCsr({ privateKey: keys.privateKey, spiffeId: 'spiffe://td/a/' })).toThrow(/trailing slash/);
  });
});

describe('parseCsr', () => {
  it('reads our own request and verifies its signature', () => {
    const csr = parseCsr(csrPem);
    expect(csr.spiffeIds).toEqual(['spiffe://shop.local/svc/orders']);
    expect(csr.dnsNames).toEqual(['orders']);
    expect(csr.publicKey.export({ type: 'spki', format: 'der' })).toEqual(keys.publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('reads a request made by openssl', () => {
    ws.run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'k.pem');
    const r = ws.run('req', '-new', '-key', 'k.pem', '-subj', '/CN=orders', '-addext', 'subjectAltName=URI:spiffe://shop.local/svc/orders,IP:127.0.0.1', '-out', 'o.csr');
    expect(r.status).toBe(0);
    const csr = parseCsr(readFileSync(join(ws.dir, 'o.csr'), 'utf8'));
    expect(csr.spiffeIds).toEqual(['spiffe://shop.local/svc/orders']);
    expect(csr.ipAddresses).toEqual(['127.0.0.1']);
  });

  it('refuses a request whose signature does not match (one byte of the body changed)', () => {
    const tampered = Buffer.from(csrDer);
    const at = tampered.indexOf(Buffer.from('orders'));
    tampered[at] = 'O'.charCodeAt(0);
    expect(() => parseCsr(pemWith(tampered))).toThrow(/signature does not verify/);
  });

  it('refuses a request with the signature of another key', () => {
    // Another key's request with our public key swapped in: the body names our key, the signature is theirs.
    const foreign = Buffer.from(createCsr({ privateKey: generateKeyPair().privateKey, spiffeId: 'spiffe://shop.local/svc/orders', dnsNames: ['orders'] }).replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const ourSpki = keys.publicKey.export({ type: 'spki', format: 'der' });
    const spkiAt = foreign.indexOf(Buffer.from([0x30, 0x59, 0x30, 0x13]));
    ourSpki.copy(foreign, spkiAt);
    expect(() => parseCsr(pemWith(foreign))).toThrow(/signature does not verify/);
  });

  it('refuses an RSA request', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    ws.file('rsa.key', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    ws.run('req', '-new', '-key', 'rsa.key', '-subj', '/CN=x', '-out', 'rsa.csr');
    expect(() => parseCsr(readFileSync(join(ws.dir, 'rsa.csr'), 'utf8'))).toThrow(/only ecdsa-with-SHA256/);
  });

  it.each([
    ['text with no PEM block', 'hello', /no "-----BEGIN CERTIFICATE REQUEST-----" block/],
    ['a certificate instead of a request', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /no "-----BEGIN CERTIFICATE REQUEST-----"/],
    ['random bytes', pemWith(Buffer.from('not der at all, not der at all')), /malformed/],
    ['a truncated request', pemWith(csrDer.subarray(0, csrDer.length - 10)), /malformed/],
    ['trailing bytes', pemWith(Buffer.concat([csrDer, Buffer.of(0)])), /malformed: 1 bytes of trailing data/],
  ])('refuses %s with a clear error', (_what, pem, message) => {
    expect(() => parseCsr(pem)).toThrow(message);
  });
});
