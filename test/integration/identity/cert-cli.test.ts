import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { once } from 'node:events';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { createMesh } from '../../../src/index.js';
import { loadOrCreateDevCa } from '../../../src/identity/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { opensslCa, type OpensslCa } from '../../helpers/openssl-pki.js';

const run$ = promisify(execFile);
const dirs: string[] = [];
const cas: OpensslCa[] = [];
const httpsServers: HttpsServer[] = [];
afterEach(async () => {
  for (const s of httpsServers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  for (const c of cas.splice(0)) c.remove();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const open = closeAfterEach();

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'inmesh-cert-cli-'));
  dirs.push(d);
  return d;
}

function otherCa(): OpensslCa {
  const ca = opensslCa('other-ca');
  cas.push(ca);
  return ca;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { log: (s) => out.push(s), error: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function meshServer(dir: string, service: string, mtls: 'strict' | 'permissive'): Promise<number> {
  const mesh = open.add(await createMesh({ service, config: { trustDomain: 'shop.local', identity: { mode: 'dev', dir }, inbound: { mtls } } }));
  const server = open.add(await mesh.serve((_req, res) => res.end('ok')));
  return server.port;
}

async function httpsServer(cert: string, key: string): Promise<number> {
  const s = createHttpsServer({ cert, key }, (_req, res) => res.end('ok'));
  httpsServers.push(s);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as { port: number }).port;
}

describe('inmesh cert inspect', () => {
  it('describes a dev CA leaf: its SPIFFE ID, issuer, validity, serial, leaf kind and fingerprint', async () => {
    const d = tempDir();
    expect((await cli('cert', 'issue', '--service', 'orders', '--trust-domain', 'shop.local', '--dir', join(d, '.inmesh'), '--out', d, '--ttl', '2h')).code).toBe(0);
    const r = await cli('cert', 'inspect', join(d, 'orders.crt'));
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('spiffe://shop.local/svc/orders');
    expect(r.out).toMatch(/kind:\s+leaf/);
    expect(r.out).toMatch(/expires in (1h 59m|2h)/);
    expect(r.out).toMatch(/sha-256:\s+([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    const { stdout } = await run$('openssl', ['x509', '-noout', '-serial', '-in', join(d, 'orders.crt')]);
    expect(r.out).toContain(stdout.trim().replace(/^serial=/, ''));
  });

  it('describes every certificate of an openssl-made file, a CA among them, and an expired one as expired', async () => {
    const ca = otherCa();
    const leaf = ca.leaf('billing', { uris: ['spiffe://shop.local/svc/billing'], notBefore: '20200101000000Z', notAfter: '20210101000000Z' });
    const d = tempDir();
    writeFileSync(join(d, 'chain.pem'), leaf.certPem + ca.certPem);
    const r = await cli('cert', 'inspect', join(d, 'chain.pem'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('certificate 1 of 2');
    expect(r.out).toContain('spiffe://shop.local/svc/billing');
    expect(r.out).toMatch(/expired \d+d \d+h ago/);
    expect(r.out).toMatch(/issuer:\s+CN=other-ca/);
    expect(r.out).toMatch(/kind:\s+CA/);
  });

  it('refuses a file that holds no certificate (a key) with exit 1 and says what it found', async () => {
    const d = tempDir();
    await cli('cert', 'issue', '--service', 'orders', '--dir', join(d, '.inmesh'), '--out', d);
    const r = await cli('cert', 'inspect', join(d, 'orders.key'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no certificate here: the PEM block is a PRIVATE KEY/);
    expect((await cli('cert', 'inspect', join(d, 'missing.pem'))).code).toBe(1);
  });
});

describe('inmesh cert issue', () => {
  it('writes NAME.crt, NAME.key (0600) and ca.crt; openssl verifies the leaf, which carries the SPIFFE ID and the requested SANs', async () => {
    const d = tempDir();
    const r = await cli('cert', 'issue', '--service', 'orders', '--trust-domain', 'shop.local', '--dir', join(d, '.inmesh'), '--out', join(d, 'out'), '--dns', 'orders.internal', '--ip', '10.0.0.7');
    expect(r.code).toBe(0);
    expect(r.out).toContain('spiffe://shop.local/svc/orders');
    expect(r.out).toContain(join(d, 'out', 'orders.key'));
    expect(statSync(join(d, 'out', 'orders.key')).mode & 0o777).toBe(0o600);
    const { stdout } = await run$('openssl', ['verify', '-CAfile', join(d, 'out', 'ca.crt'), join(d, 'out', 'orders.crt')]);
    expect(stdout).toMatch(/: OK/);
    const text = (await run$('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', join(d, 'out', 'orders.crt')])).stdout;
    for (const san of ['URI:spiffe://shop.local/svc/orders', 'DNS:orders.internal', 'IP Address:10.0.0.7', 'IP Address:127.0.0.1']) expect(text).toContain(san);
    // The bundle is the dev CA's own certificate: what dev mode workloads trust.
    expect(readFileSync(join(d, 'out', 'ca.crt'), 'utf8')).toBe(readFileSync(join(d, '.inmesh', 'ca.crt'), 'utf8'));
  });

  it('refuses to overwrite existing files unless --force, and --force replaces the key', async () => {
    const d = tempDir();
    const args = ['cert', 'issue', '--service', 'orders', '--dir', join(d, '.inmesh'), '--out', d];
    expect((await cli(...args)).code).toBe(0);
    const key = readFileSync(join(d, 'orders.key'), 'utf8');
    const again = await cli(...args);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/orders\.crt.*already exist.*--force/);
    expect(readFileSync(join(d, 'orders.key'), 'utf8')).toBe(key);
    expect((await cli(...args, '--force')).code).toBe(0);
    expect(readFileSync(join(d, 'orders.key'), 'utf8')).not.toBe(key);
  });

  it('curl with the files it wrote gets a 200 from a strict mesh server', async () => {
    const d = tempDir();
    const dir = join(d, '.inmesh');
    expect((await cli('cert', 'issue', '--service', 'checkout', '--trust-domain', 'shop.local', '--dir', dir, '--out', d)).code).toBe(0);
    const port = await meshServer(dir, 'orders', 'strict');
    const { stdout } = await run$('curl', ['-sS', '--max-time', '5', '--http1.1', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(d, 'ca.crt'), '--cert', join(d, 'checkout.crt'), '--key', join(d, 'checkout.key'), `https://127.0.0.1:${port}/`]);
    expect(stdout).toBe('200');
  });
});

describe('inmesh cert check', () => {
  it.each([['strict' as const], ['permissive' as const]])('a %s mesh server: ok with its SPIFFE ID, issuer and validity', async (mtls) => {
    const dir = join(tempDir(), '.inmesh');
    const port = await meshServer(dir, 'orders', mtls);
    const r = await cli('cert', 'check', `https://127.0.0.1:${port}`, '--dir', dir, '--trust-domain', 'shop.local', '--expect', 'spiffe://shop.local/svc/orders');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('presented spiffe://shop.local/svc/orders');
    expect(r.out).toMatch(/issuer:.*shop\.local/);
    expect(r.out).toMatch(/expires in/);
    expect(r.out).toMatch(/presented a dev CA certificate/);
    expect(r.out).toMatch(/\nok$/);
  });

  it('--expect of another service: exit 1 naming both SPIFFE IDs', async () => {
    const dir = join(tempDir(), '.inmesh');
    const port = await meshServer(dir, 'orders', 'permissive');
    const r = await cli('cert', 'check', `127.0.0.1:${port}`, '--dir', dir, '--trust-domain', 'shop.local', '--expect', 'spiffe://shop.local/svc/billing');
    expect(r.code).toBe(1);
    expect(r.err).toContain('spiffe://shop.local/svc/billing');
    expect(r.err).toContain('spiffe://shop.local/svc/orders');
  });

  it('a server whose certificate another CA signed: exit 1, untrusted, with the OpenSSL code', async () => {
    const dir = join(tempDir(), '.inmesh');
    await loadOrCreateDevCa(dir, 'shop.local');
    const leaf = otherCa().leaf('orders', { uris: ['spiffe://shop.local/svc/orders'], ips: ['127.0.0.1'] });
    const port = await httpsServer(leaf.certPem, leaf.keyPem);
    const r = await cli('cert', 'check', `https://127.0.0.1:${port}/`, '--dir', dir, '--trust-domain', 'shop.local');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/untrusted: untrusted chain: [A-Z_]+ \(issuer CN=other-ca\)/);
    expect(r.out).not.toMatch(/\nok$/);
  });

  it('an expired server certificate: exit 1, expired', async () => {
    const ca = otherCa();
    const leaf = ca.leaf('orders', { uris: ['spiffe://shop.local/svc/orders'], notBefore: '20200101000000Z', notAfter: '20210101000000Z' });
    const port = await httpsServer(leaf.certPem, leaf.keyPem);
    const r = await cli('cert', 'check', `https://127.0.0.1:${port}`, '--ca', ca.certFile, '--dir', join(tempDir(), '.inmesh'), '--trust-domain', 'shop.local');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/expired: .*CERT_HAS_EXPIRED/);
    expect(r.out).toMatch(/expired \d+d \d+h ago/);
  });

  it('a trusted certificate without a SPIFFE ID is refused by the SPIFFE checks', async () => {
    const ca = otherCa();
    const leaf = ca.leaf('plain', { ips: ['127.0.0.1'] });
    const port = await httpsServer(leaf.certPem, leaf.keyPem);
    const r = await cli('cert', 'check', `https://127.0.0.1:${port}`, '--ca', ca.certFile, '--dir', join(tempDir(), '.inmesh'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/spiffe: the certificate has no URI SAN/);
  });

  it('without a dev CA it still checks a strict mesh server against --ca, and says it presented no client certificate', async () => {
    const dir = join(tempDir(), '.inmesh');
    const port = await meshServer(dir, 'orders', 'strict');
    const r = await cli('cert', 'check', `https://127.0.0.1:${port}`, '--ca', join(dir, 'ca.crt'), '--dir', join(tempDir(), 'no-ca'), '--trust-domain', 'shop.local');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no client certificate \(no dev CA\)\nok$/);
  });

  it('a server that refuses the client certificate after a TLS 1.3 handshake: exit 1, client-refused', async () => {
    const dir = join(tempDir(), '.inmesh');
    await loadOrCreateDevCa(dir, 'shop.local');
    const ca = otherCa();
    const leaf = ca.leaf('orders', { uris: ['spiffe://shop.local/svc/orders'] });
    const s = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (_req, res) => res.end('ok'));
    httpsServers.push(s);
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    const r = await cli('cert', 'check', `https://127.0.0.1:${(s.address() as { port: number }).port}`, '--ca', ca.certFile, '--dir', dir, '--trust-domain', 'shop.local');
    expect(r.code).toBe(1);
    expect(r.err).toContain('client-refused: the server closed the connection without accepting our client certificate (spiffe://shop.local/svc/inmesh-cli)');
  });

  it('a server that never answers the handshake: exit 1 within --timeout', async () => {
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((s) => sockets.push(s));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const started = Date.now();
      const r = await cli('cert', 'check', `127.0.0.1:${(silent.address() as { port: number }).port}`, '--ca', otherCa().certFile, '--timeout', '300ms', '--dir', join(tempDir(), '.inmesh'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/timeout: no TLS handshake .* within 300 ms/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('an --expect that is not a SPIFFE ID is refused before connecting', async () => {
    const r = await cli('cert', 'check', '127.0.0.1:1', '--ca', otherCa().certFile, '--expect', 'orders', '--dir', join(tempDir(), '.inmesh'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/orders/);
    expect(r.err).not.toMatch(/unreachable/);
  });

  it('a port with nothing listening fails fast with exit 1', async () => {
    const ca = otherCa();
    const r = await cli('cert', 'check', '127.0.0.1:1', '--ca', ca.certFile, '--timeout', '2s', '--dir', join(tempDir(), '.inmesh'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unreachable/);
  });
});
