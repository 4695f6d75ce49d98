import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCertificate, generateKeyPair, issueCertificate, parseSubjectAltName, spiffeIdsOf } from '../../../src/identity/index.js';
import { decodeGeneralNames, encodeGeneralNames } from '../../../src/identity/x509/general-names.js';
import { opensslWorkspace } from './openssl.js';

const ws = opensslWorkspace();
afterAll(() => ws.cleanup());

/** A certificate made by openssl whose SAN holds a comma inside a URI, which Node prints quoted. */
function opensslCertWithOddSans(): X509Certificate {
  ws.file(
    'odd.cnf',
    ['[req]', 'distinguished_name=dn', '[dn]', '[ext]', 'subjectAltName=@alt', '[alt]', 'URI.1=spiffe://td/a,URI:spiffe://evil/x', 'DNS.1=a.b', 'URI.2=spiffe://td/ok', ''].join('\n'),
  );
  const r = ws.run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'odd.pem', '-subj', '/CN=x', '-days', '1', '-config', 'odd.cnf', '-extensions', 'ext');
  expect(r.status).toBe(0);
  return new X509Certificate(readFileSync(join(ws.dir, 'odd.pem')));
}

describe('spiffeIdsOf', () => {
  it("does not split a quoted SAN value at its comma (which would invent 'spiffe://evil/x')", () => {
    const cert = opensslCertWithOddSans();
    expect(cert.subjectAltName).toContain('"');
    expect(parseSubjectAltName(cert.subjectAltName)).toEqual([
      { kind: 'URI', value: 'spiffe://td/a,URI:spiffe://evil/x' },
      { kind: 'DNS', value: 'a.b' },
      { kind: 'URI', value: 'spiffe://td/ok' },
    ]);
    expect(spiffeIdsOf(cert)).toEqual(['spiffe://td/ok']);
  });

  it('reads the plain form and an empty SAN', () => {
    expect(parseSubjectAltName('URI:spiffe://td/a, IP Address:127.0.0.1')).toEqual([
      { kind: 'URI', value: 'spiffe://td/a' },
      { kind: 'IP Address', value: '127.0.0.1' },
    ]);
    expect(parseSubjectAltName(undefined)).toEqual([]);
    expect(() => parseSubjectAltName('URI:"unterminated')).toThrow(/unterminated/);
  });
});

describe('describeCertificate', () => {
  it('shows the SPIFFE IDs, names, validity, serial, CA flag and fingerprint', () => {
    const k = generateKeyPair();
    const pem = issueCertificate({
      subjectPublicKey: k.publicKey,
      subjectPrivateKey: k.privateKey,
      issuer: 'self',
      subjectCommonName: 'inmesh td CA',
      spiffeId: 'spiffe://td',
      isCa: true,
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      serialNumber: 0x1234n,
    });
    const d = describeCertificate(pem);
    expect(d).toEqual({
      spiffeIds: ['spiffe://td'],
      subject: 'CN=inmesh td CA',
      issuer: 'CN=inmesh td CA',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      serialNumber: '1234',
      isCa: true,
      fingerprint256: new X509Certificate(pem).fingerprint256,
    });
    const fp = ws.run('x509', '-in', ws.file('d.pem', pem), '-noout', '-fingerprint', '-sha256').output;
    expect(fp.trim()).toBe(`sha256 Fingerprint=${d.fingerprint256}`);
  });

  it('refuses what is not a certificate', () => {
    expect(() => describeCertificate('nope')).toThrow(/not a readable certificate/);
  });
});

describe('GeneralNames', () => {
  it('round-trips IPv4 and IPv6 addresses in their shortest form', () => {
    const ips = ['10.0.0.1', '::1', '2001:db8::8:800:200c:417a', 'fe80::', '1:0:0:2:0:0:0:3', '::ffff:192.0.2.1'];
    const back = decodeGeneralNames(encodeGeneralNames({ uris: [], dnsNames: [], ipAddresses: ips })).ipAddresses;
    expect(back).toEqual(['10.0.0.1', '::1', '2001:db8::8:800:200c:417a', 'fe80::', '1:0:0:2::3', '::ffff:c000:201']);
  });
});
