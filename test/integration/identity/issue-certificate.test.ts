import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair, issueCertificate, spiffeIdsOf } from '../../../src/identity/index.js';
import { opensslWorkspace } from './openssl.js';

const ws = opensslWorkspace();
afterAll(() => ws.cleanup());

const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date('2027-01-01T00:00:00Z');
const attime = String(Math.floor(new Date('2026-06-01T00:00:00Z').getTime() / 1000));

function makeCa(cn = 'inmesh shop.local CA') {
  const keys = generateKeyPair();
  const pem = issueCertificate({
    subjectPublicKey: keys.publicKey,
    subjectPrivateKey: keys.privateKey,
    issuer: 'self',
    subjectCommonName: cn,
    spiffeId: 'spiffe://shop.local',
    isCa: true,
    notBefore,
    notAfter,
  });
  return { pem, keys, issuer: { certificate: new X509Certificate(pem), privateKey: keys.privateKey } };
}

const ca = makeCa();
const leafKeys = generateKeyPair();
const leafPem = issueCertificate({
  subjectPublicKey: leafKeys.publicKey,
  spiffeId: 'spiffe://shop.local/svc/orders',
  dnsNames: ['orders.shop.local'],
  ipAddresses: ['127.0.0.1', '2001:db8::1'],
  isCa: false,
  notBefore,
  notAfter,
  issuer: ca.issuer,
});

describe('issueCertificate, read by openssl', () => {
  it('writes a root openssl reads as a CA with pathlen 0, keyCertSign and cRLSign', () => {
    const text = ws.run('x509', '-in', ws.file('ca.pem', ca.pem), '-text', '-noout').output;
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('Subject: CN = inmesh shop.local CA');
    expect(text).toContain('Issuer: CN = inmesh shop.local CA');
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain('URI:spiffe://shop.local');
    expect(text).toContain('NIST CURVE: P-256');
  });

  it('writes an X.509-SVID leaf: CA:FALSE, digitalSignature, both EKUs, a critical SAN for the empty subject', () => {
    const text = ws.run('x509', '-in', ws.file('leaf.pem', leafPem), '-text', '-noout').output;
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toMatch(/Subject: *\n/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(text).toMatch(/Subject Alternative Name: critical\s+URI:spiffe:\/\/shop.local\/svc\/orders, DNS:orders.shop.local, IP Address:127.0.0.1, IP Address:2001:DB8:0:0:0:0:0:1/);
    expect(text).toContain('Not Before: Jan  1 00:00:00 2026 GMT');
    expect(text).toContain('Not After : Jan  1 00:00:00 2027 GMT');
  });

  it('links the leaf to the CA by key identifier', () => {
    const caText = ws.run('x509', '-in', ws.file('ca.pem', ca.pem), '-text', '-noout').output;
    const leafText = ws.run('x509', '-in', ws.file('leaf.pem', leafPem), '-text', '-noout').output;
    const ski = /Subject Key Identifier: *\n\s+([0-9A-F:]+)/.exec(caText)![1];
    expect(leafText).toMatch(new RegExp(`Authority Key Identifier: *\\n\\s+(keyid:)?${ski}`));
  });

  it('passes openssl verify against its CA and fails against another', () => {
    const ok = ws.run('verify', '-attime', attime, '-CAfile', ws.file('ca.pem', ca.pem), ws.file('leaf.pem', leafPem));
    expect(ok.status).toBe(0);
    expect(ok.output).toContain('leaf.pem: OK');
    const other = ws.run('verify', '-attime', attime, '-CAfile', ws.file('other.pem', makeCa('other CA').pem), ws.file('leaf.pem', leafPem));
    expect(other.status).not.toBe(0);
  });

  it('fails openssl verify after notAfter', () => {
    const late = String(Math.floor(new Date('2027-02-01T00:00:00Z').getTime() / 1000));
    const r = ws.run('verify', '-attime', late, '-CAfile', ws.file('ca.pem', ca.pem), ws.file('leaf.pem', leafPem));
    expect(r.output).toContain('certificate has expired');
  });

  it('encodes a notAfter from 2050 as GeneralizedTime that openssl and Node read back', () => {
    const pem = issueCertificate({ subjectPublicKey: leafKeys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', isCa: false, notBefore, notAfter: new Date('2051-03-04T05:06:07Z'), issuer: ca.issuer });
    expect(ws.run('x509', '-in', ws.file('far.pem', pem), '-enddate', '-noout').output.trim()).toBe('notAfter=Mar  4 05:06:07 2051 GMT');
    expect(new Date(new X509Certificate(pem).validTo).toISOString()).toBe('2051-03-04T05:06:07.000Z');
  });
});

describe('issueCertificate, read by node:crypto', () => {
  const leaf = new X509Certificate(leafPem);

  it('is issued by the CA and verifies with its key, and only its key', () => {
    expect(leaf.checkIssued(ca.issuer.certificate)).toBe(true);
    expect(leaf.verify(ca.keys.publicKey)).toBe(true);
    expect(leaf.verify(makeCa().keys.publicKey)).toBe(false);
    expect(ca.issuer.certificate.verify(ca.keys.publicKey)).toBe(true);
  });

  it('sets the ca flag on the root only, and the SPIFFE ID as the URI SAN', () => {
    expect([ca.issuer.certificate.ca, leaf.ca]).toEqual([true, false]);
    expect(spiffeIdsOf(leaf)).toEqual(['spiffe://shop.local/svc/orders']);
    expect(leaf.publicKey.export({ type: 'spki', format: 'der' })).toEqual(leafKeys.publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('draws 128-bit positive serials, and keeps a given one', () => {
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const s = new X509Certificate(issueCertificate({ subjectPublicKey: leafKeys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', isCa: false, notBefore, notAfter, issuer: ca.issuer })).serialNumber;
      expect(s.replace(/^00/, '').length).toBeLessThanOrEqual(32);
      serials.add(s);
    }
    expect(serials.size).toBe(20);
    const fixed = issueCertificate({ subjectPublicKey: leafKeys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', isCa: false, notBefore, notAfter, issuer: ca.issuer, serialNumber: 0xabcdefn });
    expect(new X509Certificate(fixed).serialNumber).toBe('ABCDEF');
  });

  it('marks the SAN non-critical when there is a subject', () => {
    const pem = issueCertificate({ subjectPublicKey: leafKeys.publicKey, subjectCommonName: 'orders', spiffeId: 'spiffe://shop.local/svc/orders', isCa: false, notBefore, notAfter, issuer: ca.issuer });
    const text = ws.run('x509', '-in', ws.file('named.pem', pem), '-text', '-noout').output;
    expect(text).toContain('Subject: CN = orders');
    expect(text).toMatch(/Subject Alternative Name: *\n/);
  });
});

describe('issueCertificate refuses', () => {
  const base = { subjectPublicKey: leafKeys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', isCa: false, notBefore, notAfter, issuer: ca.issuer };

  it.each([
    ['notAfter before notBefore', { notAfter: notBefore }, /must be after notBefore/],
    ['an invalid SPIFFE ID', { spiffeId: 'spiffe://shop.local/svc/' }, /trailing slash/],
    ['a bad IP address', { ipAddresses: ['1.2.3'] }, /not an IPv4 or IPv6 address/],
    ['a bad DNS name', { dnsNames: ['a..b'] }, /not a DNS name/],
    ['a non-positive serial', { serialNumber: 0n }, /positive bigint/],
    ['an issuer key that is not the CA key', { issuer: { certificate: ca.issuer.certificate, privateKey: generateKeyPair().privateKey } }, /does not match/],
    ['a leaf as issuer', { issuer: { certificate: new X509Certificate(leafPem), privateKey: leafKeys.privateKey } }, /not a CA/],
    ['a CA with neither a subject nor a SAN', { isCa: true, spiffeId: undefined }, /empty subject needs/],
    ["'self' without the subject's private key", { issuer: 'self' as const, subjectCommonName: 'x' }, /needs subjectPrivateKey/],
  ])('%s', (_what, patch, message) => {
    expect(() => issueCertificate({ ...base, ...patch })).toThrow(message);
  });
});
