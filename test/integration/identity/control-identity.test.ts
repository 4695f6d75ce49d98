import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createMesh, isMeshError } from '../../../src/index.js';
import { CERTIFICATE_PATH, CertificateAuthority, generateKeyPair, type CertificateRequestBody } from '../../../src/identity/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';

const dir = mkdtempSync(join(tmpdir(), 'inmesh-control-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ca = CertificateAuthority.create({ trustDomain: 'shop.local', ttl: 86_400_000 });
const caFile = join(dir, 'ca.crt');
writeFileSync(caFile, ca.bundlePem);
const TOKEN = 'join-7f3a';
const open = closeAfterEach();

/** A stand-in for the daemon's certificate endpoint, over the real protocol: a CSR and a join token (or a valid client certificate) in, a chain out. */
async function daemon(): Promise<{ server: Server; url: string; bodies: string[]; stop(): Promise<void> }> {
  const { publicKey, privateKey } = generateKeyPair();
  const cert = ca.issue({ publicKey, spiffeId: 'spiffe://shop.local/control', ttl: 86_400_000, ipAddresses: ['127.0.0.1'] });
  const bodies: string[] = [];
  // Join tokens admit a workload once (as SPIRE's do); after that it renews by its certificate.
  const admitted = new Set<string>();
  const server = createServer({ cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }), ca: ca.bundlePem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (d: string) => (text += d));
    req.on('end', () => {
      // The workload also watches the daemon's configuration and registry: this stand-in serves certificates only.
      if (req.url !== CERTIFICATE_PATH) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'MESH_ERR_BAD_REQUEST', message: 'not served here' } }));
        return;
      }
      bodies.push(text);
      const body = JSON.parse(text) as CertificateRequestBody;
      const expected = `spiffe://shop.local/svc/${body.service}`;
      const peer = (req.socket as TLSSocket).authorized ? (req.socket as TLSSocket).getPeerX509Certificate()?.subjectAltName : undefined;
      const renewing = peer === `URI:${expected}`;
      const admits = !renewing && req.headers.authorization === `Bearer ${TOKEN}` && !admitted.has(body.service);
      if (req.url !== CERTIFICATE_PATH || (!renewing && !admits)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'MESH_ERR_UNAUTHORIZED', message: 'unknown join token' } }));
        return;
      }
      if (admits) admitted.add(body.service);
      const certificate = ca.signCsr(body.csr, { expectedSpiffeId: expected, ttl: body.ttlSeconds * 1000 });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ certificate, bundle: ca.bundlePem }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const stop = () => new Promise<void>((r) => server.close(() => r()).closeAllConnections());
  open.add({ close: () => (server.listening ? stop() : undefined) });
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, stop };
}

let caches = 0;
// A cache of its own for each workload: a cached certificate would otherwise stand in for the token.
const controlConfig = (url: string, extra: Record<string, unknown> = {}) => ({
  trustDomain: 'shop.local',
  control: { url, cacheDir: join(dir, `cache-${++caches}`) },
  identity: { mode: 'control', token: TOKEN, caFile, ...extra },
});

describe('identity from the control daemon', () => {
  it('gets a certificate for a CSR and the join token, and two such workloads talk mTLS; no private key travels', async () => {
    const d = await daemon();
    const orders = open.add(await createMesh({ service: 'orders', config: controlConfig(d.url) }));
    const server = open.add(await orders.serve((req, res) => res.end(req.mesh.peer)));
    const checkout = open.add(await createMesh({ service: 'checkout', config: { ...controlConfig(d.url), services: { orders: { endpoints: [`127.0.0.1:${server.port}`] } } } }));
    const res = await checkout.request('http://orders/');
    expect(await res.body.text()).toBe('spiffe://shop.local/svc/checkout');
    expect(d.bodies).toHaveLength(2);
    for (const b of d.bodies) {
      expect(b).toContain('BEGIN CERTIFICATE REQUEST');
      expect(b).not.toContain('PRIVATE KEY');
    }
  });

  it('a wrong join token: createMesh fails with MESH_ERR_IDENTITY and the daemon\'s reason, at once', async () => {
    const d = await daemon();
    const startedAt = Date.now();
    const err = await createMesh({ service: 'orders', config: controlConfig(d.url, { token: 'stolen' }) }).catch((e: unknown) => e);
    expect(isMeshError(err) && err.code).toBe('MESH_ERR_IDENTITY');
    expect(String(err)).toMatch(/refused the certificate request \(401\): unknown join token/);
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });

  it('a daemon that starts a moment after the workload: the workload waits for it', async () => {
    const d = await daemon();
    const { port } = d.server.address() as AddressInfo;
    await d.stop();
    const later = new Promise<void>((resolve) => setTimeout(() => resolve(void d.server.listen(port, '127.0.0.1')), 700));
    const orders = open.add(await createMesh({ service: 'orders', config: controlConfig(d.url) }));
    await later;
    const server = open.add(await orders.serve((_req, res) => res.end('ok')));
    expect(server.protocols).toContain('mtls:http/1.1');
  });

  it('renews over mTLS with its current certificate, and keeps serving on it while the daemon is away', async () => {
    const d = await daemon();
    const tokenless = await createMesh({ service: 'orders', config: controlConfig(d.url, { certTtl: '3s', token: undefined }) }).catch((e: unknown) => e);
    // Without a token the first issuance is refused: the token is what admits a new workload.
    expect(isMeshError(tokenless)).toBe(true);
    const withToken = open.add(await createMesh({ service: 'orders', config: controlConfig(d.url, { certTtl: '3s' }) }));
    const server = open.add(await withToken.serve((_req, res) => res.end('ok')));
    const checkout = open.add(await createMesh({ service: 'checkout', config: { ...controlConfig(d.url), services: { orders: { endpoints: [`127.0.0.1:${server.port}`] } } } }));
    // Renewed at half of what is left (~1.5 s); the renewal presents the certificate, not the token.
    await new Promise((r) => setTimeout(r, 2000));
    const renewals = await withToken.metrics.getSingleMetricAsString('inmesh_cert_rotations_total');
    expect(renewals).toMatch(/result="renewed"\} [1-9]/);
    await d.stop();
    await new Promise((r) => setTimeout(r, 700));
    const res = await checkout.request('http://orders/');
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });
});
