import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateAuthority, CLOCK_SKEW_MS, createCsr, generateKeyPair, spiffeIdsOf, splitPemCertificates } from '../../../src/identity/index.js';
import { opensslWorkspace } from './openssl.js';

const ws = opensslWorkspace();
afterAll(() => ws.cleanup());

const DAY = 86_400_000;
const t0 = new Date('2026-03-01T12:00:00Z');
const ca = CertificateAuthority.create({ trustDomain: 'shop.local', ttl: 30 * DAY, now: t0 });
const keys = generateKeyPair();
const epoch = (d: Date) => String(Math.floor(d.getTime() / 1000));

describe('CertificateAuthority.create', () => {
  it('makes a self-signed root named after the trust domain, valid from just before now for ttl', () => {
    const c = ca.certificate;
    expect([c.subject, c.issuer, c.ca]).toEqual(['CN=inmesh shop.local CA', 'CN=inmesh shop.local CA', true]);
    expect(spiffeIdsOf(c)).toEqual(['spiffe://shop.local']);
    expect(ca.notBefore.getTime()).toBe(t0.getTime() - CLOCK_SKEW_MS);
    expect(ca.notAfter.getTime()).toBe(t0.getTime() + 30 * DAY);
    expect(c.verify(c.publicKey)).toBe(true);
  });

  it('refuses a bad trust domain or ttl', () => {
    expect(() => CertificateAuthority.create({ trustDomain: 'Shop', ttl: DAY })).toThrow(/invalid trust domain/);
    expect(() => CertificateAuthority.create({ trustDomain: 'shop', ttl: 0 })).toThrow(/ttl must be a positive/);
  });
});

describe('CertificateAuthority.issue', () => {
  it('issues a leaf openssl verifies under the bundle, backdated by the skew', () => {
    const now = new Date(t0.getTime() + DAY);
    const pem = ca.issue({ publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/orders', ttl: 3_600_000, ipAddresses: ['127.0.0.1'], now });
    const leaf = new X509Certificate(pem);
    expect(spiffeIdsOf(leaf)).toEqual(['spiffe://shop.local/svc/orders']);
    expect(new Date(leaf.validFrom).getTime()).toBe(now.getTime() - CLOCK_SKEW_MS);
    expect(new Date(leaf.validTo).getTime()).toBe(now.getTime() + 3_600_000);
    expect(leaf.checkIssued(ca.certificate)).toBe(true);
    const r = ws.run('verify', '-attime', epoch(now), '-CAfile', ws.file('bundle.pem', ca.bundlePem), ws.file('leaf.pem', pem));
    expect(r.output).toContain('leaf.pem: OK');
  });

  it("cuts notAfter at the CA's own, and keeps notBefore inside the CA's", () => {
    const leaf = new X509Certificate(ca.issue({ publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', ttl: 365 * DAY, now: t0 }));
    expect(new Date(leaf.validTo).getTime()).toBe(ca.notAfter.getTime());
    expect(new Date(leaf.validFrom).getTime()).toBe(ca.notBefore.getTime());
  });

  it.each([
    ['another trust domain', 'spiffe://other.local/svc/a', /not in trust domain shop.local/],
    ['the trust domain itself', 'spiffe://shop.local', /needs a path/],
    ['an invalid ID', 'spiffe://shop.local/svc/', /trailing slash/],
  ])('refuses %s', (_what, spiffeId, message) => {
    expect(() => ca.issue({ publicKey: keys.publicKey, spiffeId, ttl: 1000, now: t0 })).toThrow(message);
  });

  it('refuses to issue once the CA has expired', () => {
    expect(() => ca.issue({ publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', ttl: 1000, now: new Date(t0.getTime() + 31 * DAY) })).toThrow(/expired at/);
  });
});

describe('CertificateAuthority.signCsr', () => {
  const csrFor = (spiffeId: string) => createCsr({ privateKey: keys.privateKey, spiffeId, dnsNames: ['evil.example'] });

  it('signs a request for a workload of its trust domain, with the requested key, ignoring requested DNS names', () => {
    const pem = ca.signCsr(csrFor('spiffe://shop.local/svc/orders'), { ttl: 3_600_000, expectedSpiffeId: 'spiffe://shop.local/svc/orders', now: t0 });
    const leaf = new X509Certificate(pem);
    expect(leaf.subjectAltName).toBe('URI:spiffe://shop.local/svc/orders');
    expect(leaf.publicKey.export({ type: 'spki', format: 'der' })).toEqual(keys.publicKey.export({ type: 'spki', format: 'der' }));
    expect(leaf.verify(ca.certificate.publicKey)).toBe(true);
  });

  it('refuses a request for another trust domain', () => {
    expect(() => ca.signCsr(csrFor('spiffe://other.local/svc/orders'), { ttl: 1000, now: t0 })).toThrow(/not in trust domain shop.local/);
  });

  it('refuses a request for another ID than the expected one', () => {
    expect(() => ca.signCsr(csrFor('spiffe://shop.local/svc/admin'), { ttl: 1000, expectedSpiffeId: 'spiffe://shop.local/svc/orders', now: t0 })).toThrow(
      /asks for spiffe:\/\/shop.local\/svc\/admin, but this caller may only get spiffe:\/\/shop.local\/svc\/orders/,
    );
  });

  it('refuses a request with no URI SAN, or with two', () => {
    ws.run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'k.pem');
    const csr = (name: string, ...extra: string[]) => {
      expect(ws.run('req', '-new', '-key', 'k.pem', '-subj', '/CN=orders', ...extra, '-out', name).status).toBe(0);
      return readFileSync(join(ws.dir, name), 'utf8');
    };
    expect(() => ca.signCsr(csr('none.csr'), { ttl: 1000, now: t0 })).toThrow(/exactly one SPIFFE ID as its URI SAN, it has none/);
    const two = csr('two.csr', '-addext', 'subjectAltName=URI:spiffe://shop.local/svc/a,URI:spiffe://shop.local/svc/b');
    expect(() => ca.signCsr(two, { ttl: 1000, now: t0 })).toThrow(/exactly one SPIFFE ID .* \["spiffe:\/\/shop.local\/svc\/a","spiffe:\/\/shop.local\/svc\/b"\]/);
    const https = csr('https.csr', '-addext', 'subjectAltName=URI:https://shop.local/svc/a');
    expect(() => ca.signCsr(https, { ttl: 1000, now: t0 })).toThrow(/exactly one SPIFFE ID/);
  });

  it('refuses a request that does not verify', () => {
    expect(() => ca.signCsr('-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n', { ttl: 1000 })).toThrow(/malformed/);
  });
});

describe('CertificateAuthority trust bundle', () => {
  it('keeps an older root trusted during rotation, so leaves of both verify', () => {
    const next = CertificateAuthority.create({ trustDomain: 'shop.local', ttl: 30 * DAY, now: t0 });
    const oldLeaf = ca.issue({ publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', ttl: DAY, now: t0 });
    const newLeaf = next.issue({ publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', ttl: DAY, now: t0 });
    const at = epoch(new Date(t0.getTime() + 1000));
    expect(ws.run('verify', '-attime', at, '-CAfile', ws.file('b1.pem', next.bundlePem), ws.file('old.pem', oldLeaf)).status).not.toBe(0);
    next.trustAlso(ca.certificatePem);
    next.trustAlso(ca.certificatePem); // once is enough
    next.trustAlso(next.certificatePem); // itself is already first
    expect(splitPemCertificates(next.bundlePem)).toHaveLength(2);
    expect(splitPemCertificates(next.bundlePem)[0]).toBe(next.certificatePem);
    const bundle = ws.file('b2.pem', next.bundlePem);
    expect(ws.run('verify', '-attime', at, '-CAfile', bundle, ws.file('old.pem', oldLeaf)).status).toBe(0);
    expect(ws.run('verify', '-attime', at, '-CAfile', bundle, ws.file('new.pem', newLeaf)).status).toBe(0);
  });

  it('refuses to trust a leaf as a root', () => {
    const leaf = ca.issue({ publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', ttl: DAY, now: t0 });
    expect(() => ca.trustAlso(leaf)).toThrow(/is not a CA/);
    expect(() => ca.trustAlso('nothing')).toThrow(/no CERTIFICATE block/);
  });
});

describe('CertificateAuthority.fromPem', () => {
  it('loads a stored CA that issues like the original', () => {
    const again = CertificateAuthority.fromPem({ trustDomain: 'shop.local', certificatePem: ca.certificatePem, privateKey: ca.exportPrivateKeyPem() });
    expect(again.certificate.fingerprint256).toBe(ca.certificate.fingerprint256);
    const leaf = new X509Certificate(again.issue({ publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', ttl: DAY, now: t0 }));
    expect(leaf.checkIssued(ca.certificate) && leaf.verify(ca.certificate.publicKey)).toBe(true);
  });

  it('refuses another trust domain, a key that is not the CA key, and a leaf', () => {
    const pem = ca.certificatePem;
    const key = ca.exportPrivateKeyPem();
    expect(() => CertificateAuthority.fromPem({ trustDomain: 'other.local', certificatePem: pem, privateKey: key })).toThrow(/trust domain "shop.local", not "other.local"/);
    expect(() => CertificateAuthority.fromPem({ trustDomain: 'shop.local', certificatePem: pem, privateKey: generateKeyPair().privateKey })).toThrow(/does not belong/);
    const leaf = ca.issue({ publicKey: keys.publicKey, spiffeId: 'spiffe://shop.local/svc/a', ttl: DAY, now: t0 });
    expect(() => CertificateAuthority.fromPem({ trustDomain: 'shop.local', certificatePem: leaf, privateKey: keys.privateKey })).toThrow(/not a CA/);
    expect(() => CertificateAuthority.fromPem({ trustDomain: 'shop.local', certificatePem: 'x', privateKey: key })).toThrow(/cannot be read/);
  });
});
