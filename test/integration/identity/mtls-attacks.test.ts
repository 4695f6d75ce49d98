import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as connectHttp2 } from 'node:http2';
import { connect as connectTls } from 'node:net';
import { connect } from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { createMesh, isMeshError, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { opensslCa, type OpensslLeaf, type LeafOptions } from '../../helpers/openssl-pki.js';

const ca = opensslCa('shop CA');
const foreign = opensslCa('foreign CA');
afterAll(() => {
  ca.remove();
  foreign.remove();
});
let n = 0;
function leaf(authority = ca, o: LeafOptions = {}): OpensslLeaf {
  const l = authority.leaf(`leaf-${n++}`, o);
  chmodSync(l.keyFile, 0o600);
  return l;
}
const svc = (name: string, td = 'shop.local') => `spiffe://${td}/svc/${name}`;
/** Both CAs: a caller whose certificate is foreign but who trusts the shop's servers. */
const bundleFile = join(foreign.dir, 'both.pem');
writeFileSync(bundleFile, foreign.certPem + ca.certPem);
const ordersLeaf = leaf(ca, { uris: [svc('orders')], ips: ['127.0.0.1'] });
const checkoutLeaf = leaf(ca, { uris: [svc('checkout')] });

const open = closeAfterEach();

function identityOf(l: OpensslLeaf) {
  return { mode: 'files', certFile: l.certFile, keyFile: l.keyFile, caFile: ca.certFile };
}

async function strictOrders(mtls: 'strict' | 'permissive' = 'strict') {
  const mesh = open.add(await createMesh({ service: 'orders', config: { trustDomain: 'shop.local', identity: identityOf(ordersLeaf), inbound: { mtls } } }));
  const server = open.add(await mesh.serve((req, res) => res.end(JSON.stringify({ peer: req.mesh.peer ?? null, version: req.httpVersion }))));
  return { mesh, server };
}

async function refused(mesh: Mesh, reason: string): Promise<number> {
  const text = await mesh.metrics.getSingleMetricAsString('inmesh_tls_refused_total');
  return Number(new RegExp(`reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

/** A raw TLS client (node:tls, not the mesh) with the given certificate: what the server answered, or how it failed. */
function rawCall(port: number, l: OpensslLeaf | undefined): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, ca: ca.certPem, ...(l && { cert: l.certPem, key: l.keyPem }), checkServerIdentity: () => undefined });
    let data = '';
    s.on('secureConnect', () => s.write('GET / HTTP/1.1\r\nhost: orders\r\nconnection: close\r\n\r\n'));
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('error', (err) => resolve(`error: ${err.message}`));
    s.on('close', () => resolve(data || 'closed without an answer'));
  });
}

describe('mTLS: what a strict server refuses, each counted by reason', () => {
  const cases: Array<[string, () => OpensslLeaf | undefined, string]> = [
    ['no client certificate', () => undefined, 'no-client-certificate'],
    ['a certificate from another CA', () => leaf(foreign, { uris: [svc('checkout')] }), 'untrusted'],
    ['another trust domain', () => leaf(ca, { uris: [svc('checkout', 'evil.local')] }), 'other-trust-domain'],
    ['an expired certificate', () => leaf(ca, { uris: [svc('checkout')], notBefore: '20200101000000Z', notAfter: '20210101000000Z' }), 'expired'],
    ['a not-yet-valid certificate', () => leaf(ca, { uris: [svc('checkout')], notBefore: '20990101000000Z', notAfter: '20991231000000Z' }), 'not-yet-valid'],
    ['no URI SAN', () => leaf(ca, { ips: ['127.0.0.1'] }), 'no-spiffe-id'],
    ['two URI SANs', () => leaf(ca, { uris: [svc('checkout'), svc('admin')] }), 'several-spiffe-ids'],
  ];
  for (const [name, make, reason] of cases) {
    it(`${name}: refused before any request, counted as ${reason}, and the server keeps serving`, async () => {
      const { mesh, server } = await strictOrders();
      const answer = await rawCall(server.port, make());
      expect(answer).not.toMatch(/HTTP\/1.1 200/);
      expect(await refused(mesh, reason)).toBe(1);
      expect(await rawCall(server.port, checkoutLeaf)).toMatch(/HTTP\/1.1 200[\s\S]*"peer":"spiffe:\/\/shop.local\/svc\/checkout"/);
    });
  }

  it('plaintext: a 426 that says mTLS is required, counted, the connection closed', async () => {
    const { mesh, server } = await strictOrders();
    const answer = await new Promise<string>((resolve) => {
      const s = connectTls(server.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nhost: orders\r\n\r\n'));
      let data = '';
      s.on('data', (d: Buffer) => (data += d.toString()));
      s.on('close', () => resolve(data));
    });
    expect(answer).toMatch(/^HTTP\/1.1 426 /);
    expect(answer).toMatch(/MESH_ERR_UNAUTHORIZED/);
    expect(await refused(mesh, 'plaintext')).toBe(1);
    expect(server.url).toMatch(/^https:/);
  });

  it('a client that is not ours: curl with the workload certificate gets through, and is seen by its SPIFFE ID', async () => {
    const { server } = await strictOrders();
    const { stdout } = await promisify(execFile)('curl', ['-sS', '--http1.1', '--cacert', ca.certFile, '--cert', checkoutLeaf.certFile, '--key', checkoutLeaf.keyFile, `https://127.0.0.1:${server.port}/`]);
    expect(JSON.parse(stdout)).toEqual({ peer: svc('checkout'), version: '1.1' });
  });

  it('HTTP/2 by ALPN: the peer identity reaches an HTTP/2 request too', async () => {
    const { server } = await strictOrders();
    const session = connectHttp2(`https://127.0.0.1:${server.port}`, { ca: ca.certPem, cert: checkoutLeaf.certPem, key: checkoutLeaf.keyPem, checkServerIdentity: () => undefined });
    try {
      const req = session.request({ ':path': '/' });
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      await once(req, 'end');
      expect(JSON.parse(body)).toEqual({ peer: svc('checkout'), version: '2.0' });
    } finally {
      session.close();
    }
  });
});

describe('mTLS: peers that stall or vanish mid-handshake do not pin a connection', () => {
  it('a client that leaves right after its side of the handshake: the drain does not wait for it', async () => {
    const { server } = await strictOrders();
    await new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: server.port, ca: ca.certPem, cert: checkoutLeaf.certPem, key: checkoutLeaf.keyPem, checkServerIdentity: () => undefined }, () => {
        s.destroy();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 100));
    // The default handshake timeout is 10 s; a connection held until then would hold the drain.
    const closed = await Promise.race([server.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('held'), 3000))]);
    expect(closed).toBe('closed');
  });

  it('a client that stalls inside its ClientHello is dropped at the handshake timeout', async () => {
    const mesh = open.add(await createMesh({ service: 'orders', config: { trustDomain: 'shop.local', identity: identityOf(ordersLeaf), inbound: { mtls: 'strict', headersTimeout: '300ms' } } }));
    const server = open.add(await mesh.serve((_req, res) => res.end('ok')));
    const startedAt = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const s = connectTls(server.port, '127.0.0.1', () => s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40])));
      s.on('error', () => undefined);
      s.on('close', () => resolve(Date.now() - startedAt));
    });
    expect(closedAfter).toBeLessThan(2000);
    expect(await refused(mesh, 'handshake')).toBe(1);
  });
});

describe('mTLS: peers that resume an expired session or stall', () => {
  it('a resumed TLS session whose client certificate has expired since is refused', async () => {
    const { mesh, server } = await strictOrders();
    const soon = new Date(Date.now() + 2500).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
    const shortLived = leaf(ca, { uris: [svc('checkout')], notBefore: '20200101000000Z', notAfter: soon });
    let session: Buffer | undefined;
    const call = (resume?: Buffer) =>
      new Promise<{ answer: string; reused: boolean }>((resolve) => {
        let reused = false;
        const s = connect({ host: '127.0.0.1', port: server.port, ca: ca.certPem, cert: shortLived.certPem, key: shortLived.keyPem, checkServerIdentity: () => undefined, ...(resume && { session: resume }) });
        let data = '';
        s.on('session', (t: Buffer) => (session ??= t));
        s.on('secureConnect', () => {
          reused = s.isSessionReused();
          s.write('GET / HTTP/1.1\r\nhost: orders\r\nconnection: close\r\n\r\n');
        });
        s.on('data', (d: Buffer) => (data += d.toString()));
        s.on('error', () => undefined);
        s.on('close', () => resolve({ answer: data, reused }));
      });
    expect((await call()).answer).toMatch(/HTTP\/1.1 200/);
    expect(session).toBeDefined();
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(new X509Certificate(shortLived.certPem).validTo) - Date.now() + 300)));
    const resumed = await call(session);
    expect(resumed.reused).toBe(true);
    expect(resumed.answer).toMatch(/403[\s\S]*resumed session has expired/);
    expect(await refused(mesh, 'expired')).toBe(1);
  });

  it('a drain does not wait for a client stalled inside its TLS handshake', async () => {
    const { server } = await strictOrders();
    const s = connectTls(server.port, '127.0.0.1', () => s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40])));
    s.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    // The handshake timeout is the head timeout, 10 s by default: the drain must not wait for it.
    const closed = await Promise.race([server.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('held'), 3000))]);
    expect(closed).toBe('closed');
    s.destroy();
  });
});

describe('mTLS permissive: both on one port', () => {
  it('serves plaintext and mTLS, and the request metrics say which each was', async () => {
    const { mesh, server } = await strictOrders('permissive');
    const plain = await fetch(`http://127.0.0.1:${server.port}/`).then((r) => r.json());
    expect(plain).toEqual({ peer: null, version: '1.1' });
    expect(await rawCall(server.port, checkoutLeaf)).toMatch(/"peer":"spiffe:\/\/shop.local\/svc\/checkout"/);
    const text = await mesh.metrics.getSingleMetricAsString('http_server_request_duration_seconds');
    expect(text).toMatch(/_count\{[^}]*tls="none"\} 1/);
    expect(text).toMatch(/_count\{[^}]*tls="mtls"\} 1/);
  });

  it('sends inmesh-load to authenticated peers only, not to a plaintext caller that claims to be a mesh client', async () => {
    const { server } = await strictOrders('permissive');
    const plain = await fetch(`http://127.0.0.1:${server.port}/`, { headers: { 'inmesh-caller': '1' } });
    expect(plain.headers.get('inmesh-load')).toBeNull();
    const checkout = open.add(await createMesh({ service: 'checkout', config: { trustDomain: 'shop.local', identity: identityOf(checkoutLeaf), services: { orders: { endpoints: [`127.0.0.1:${server.port}`] } } } }));
    const res = await checkout.request('http://orders/');
    await res.body.dump();
    expect(res.headers['inmesh-load']).toMatch(/elu=/);
  });
});

describe('mTLS: ALPN between meshed peers', () => {
  it('a service with http2: true gets HTTP/2 from a server that offers it, the default HTTP/1.1', async () => {
    const { server } = await strictOrders();
    const versions: string[] = [];
    for (const http2 of [true, false]) {
      const checkout = open.add(
        await createMesh({ service: 'checkout', config: { trustDomain: 'shop.local', identity: identityOf(checkoutLeaf), services: { orders: { endpoints: [`127.0.0.1:${server.port}`], http2 } } } }),
      );
      const res = await checkout.request('http://orders/');
      const body = (await res.body.json()) as { peer: string; version: string };
      expect(body.peer).toBe(svc('checkout'));
      versions.push(body.version);
    }
    expect(versions).toEqual(['2.0', '1.1']);
  });
});

describe('mTLS: what a client refuses', () => {
  async function foreignServer(l: OpensslLeaf, trust = ca.certPem): Promise<HttpsServer> {
    const s = createHttpsServer({ cert: l.certPem, key: l.keyPem, ca: trust, requestCert: true, rejectUnauthorized: true }, (_req, res) => res.end('impostor'));
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    open.add({ close: () => new Promise((r) => s.close(r)) });
    return s;
  }
  async function callOrders(s: HttpsServer) {
    const checkout = open.add(
      await createMesh({
        service: 'checkout',
        config: { trustDomain: 'shop.local', identity: identityOf(checkoutLeaf), services: { orders: { endpoints: [`127.0.0.1:${(s.address() as AddressInfo).port}`], retries: { attempts: 1 } } } },
      }),
    );
    const err = await checkout.request('http://orders/').then(() => undefined, (e: unknown) => e);
    const text = await checkout.metrics.getSingleMetricAsString('inmesh_peer_identity_failures_total');
    return { err, text };
  }

  it("a server with another service's SPIFFE ID (a valid certificate of the same CA): MESH_ERR_PEER_IDENTITY, counted", async () => {
    const { err, text } = await callOrders(await foreignServer(leaf(ca, { uris: [svc('payments')] })));
    expect(isMeshError(err) && err.code).toBe('MESH_ERR_PEER_IDENTITY');
    expect(String((err as Error).message)).toMatch(/expected spiffe:\/\/shop.local\/svc\/orders, the peer presented spiffe:\/\/shop.local\/svc\/payments/);
    expect(text).toMatch(/destination_service="orders",reason="wrong-service"\} 1/);
  });

  it('a server whose certificate another CA signed: MESH_ERR_PEER_IDENTITY', async () => {
    const { err, text } = await callOrders(await foreignServer(leaf(foreign, { uris: [svc('orders')] })));
    expect(isMeshError(err) && err.code).toBe('MESH_ERR_PEER_IDENTITY');
    expect(text).toMatch(/reason="untrusted"\} 1/);
  });

  it('a server (not ours) that does not trust this workload: a clean MeshError, no crash', async () => {
    const { err } = await callOrders(await foreignServer(leaf(ca, { uris: [svc('orders')] }), foreign.certPem));
    expect(isMeshError(err)).toBe(true);
  });

  it('an inmesh server that does not trust the caller says why: 403 with MESH_ERR_PEER_IDENTITY', async () => {
    const { server } = await strictOrders();
    const outsider = leaf(foreign, { uris: [svc('checkout')] });
    // The caller trusts the server's CA, but its own certificate comes from another.
    const checkout = open.add(
      await createMesh({
        service: 'checkout',
        config: { trustDomain: 'shop.local', identity: { mode: 'files', certFile: outsider.certFile, keyFile: outsider.keyFile, caFile: bundleFile }, services: { orders: { endpoints: [`127.0.0.1:${server.port}`] } } },
      }),
    );
    const res = await checkout.request('http://orders/');
    expect(res.statusCode).toBe(403);
    expect(await res.body.text()).toMatch(/MESH_ERR_PEER_IDENTITY.*UNABLE_TO_VERIFY_LEAF_SIGNATURE|MESH_ERR_PEER_IDENTITY.*does not verify/);
  });
});
