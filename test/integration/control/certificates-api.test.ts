import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/experimental.js';
import { requestControlCredentials } from '../../../src/identity/index.js';
import { callDaemon, csrFor, startTestDaemon, type TestDaemon } from '../../helpers/control-daemon.js';

const CERTS = '/v1/identity/certificates';

async function joinToken(t: TestDaemon, service: string, extra: object = {}): Promise<string> {
  const r = await t.call('POST', '/v1/tokens', { admin: true, body: { service, ttlSeconds: 600, ...extra } });
  expect(r.status).toBe(201);
  return r.json.token as string;
}

const post = (t: TestDaemon, body: object, token?: string, identity?: { certPem: string; keyPem: string }) =>
  callDaemon(t.daemon.url, t.daemon.bundlePem, 'POST', CERTS, { body, ...(token !== undefined && { token }), ...(identity && { identity }) });

describe('certificates API', () => {
  it('a CSR with a join token gets a certificate that verifies against the bundle, with the right URI SAN', async () => {
    const t = await startTestDaemon();
    const { csr } = csrFor('spiffe://shop.local/svc/orders');
    const r = await post(t, { service: 'orders', csr, ttlSeconds: 3600 }, await joinToken(t, 'orders'));
    expect(r.status).toBe(200);
    expect(r.json.bundle).toBe(t.daemon.bundlePem);
    const leaf = new X509Certificate(r.json.certificate);
    const root = new X509Certificate(t.daemon.bundlePem);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.subjectAltName).toBe('URI:spiffe://shop.local/svc/orders');
    expect(leaf.ca).toBe(false);
    const issued = t.log.entries.find((e) => e.msg === 'certificate issued')!;
    expect(issued.fields).toMatchObject({ service: 'orders', serial: leaf.serialNumber, by: 'join-token' });
    const metrics = (await t.call('GET', '/metrics')).text;
    expect(metrics).toContain('inmesh_control_certificates_issued_total{service="orders",result="issued"} 1');
  });

  it("the library's own control identity client gets its credentials from the daemon", async () => {
    const t = await startTestDaemon();
    const token = await joinToken(t, 'orders');
    const o = { url: t.daemon.url, service: 'orders', spiffeId: 'spiffe://shop.local/svc/orders', ttl: 3_600_000, token, bootstrapBundle: t.daemon.bundlePem, timeoutMs: 5000 };
    const first = await requestControlCredentials(o);
    expect(new X509Certificate(first.certPem).subjectAltName).toBe('URI:spiffe://shop.local/svc/orders');
    // The renewal presents the current certificate; the single-use token is spent, so only the certificate can admit it.
    const renewed = await requestControlCredentials(o, first);
    expect(new X509Certificate(renewed.certPem).serialNumber).not.toBe(new X509Certificate(first.certPem).serialNumber);
  });

  it('renews by the current certificate, without a token; another service by that certificate is 403', async () => {
    const t = await startTestDaemon();
    const identity = await t.enrol('orders');
    const r = await post(t, { service: 'orders', csr: csrFor('spiffe://shop.local/svc/orders').csr, ttlSeconds: 600 }, undefined, identity);
    expect(r.status).toBe(200);
    expect(t.log.entries.filter((e) => e.msg === 'certificate issued').map((e) => e.fields!.by)).toEqual(['join-token', 'renewal']);
    const other = await post(t, { service: 'checkout', csr: csrFor('spiffe://shop.local/svc/checkout').csr, ttlSeconds: 600 }, undefined, identity);
    expect(other.status).toBe(403);
  });

  it("a CSR for another service's identity is 403, and the token stays unspent", async () => {
    const t = await startTestDaemon();
    const token = await joinToken(t, 'orders');
    const r = await post(t, { service: 'orders', csr: csrFor('spiffe://shop.local/svc/payments').csr, ttlSeconds: 600 }, token);
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('MESH_ERR_UNAUTHORIZED');
    expect(r.json.error.message).toMatch(/asks for spiffe:\/\/shop.local\/svc\/payments, but this caller may only get spiffe:\/\/shop.local\/svc\/orders/);
    expect((await post(t, { service: 'orders', csr: csrFor('spiffe://shop.local/svc/orders').csr, ttlSeconds: 600 }, token)).status).toBe(200);
  });

  it('a malformed CSR is 400 MESH_ERR_IDENTITY', async () => {
    const t = await startTestDaemon();
    const token = await joinToken(t, 'orders', { singleUse: false });
    const good = csrFor('spiffe://shop.local/svc/orders').csr;
    const tampered = good.replace(/[A-Za-z](?=[A-Za-z0-9+/=]*\n-----END)/, (c) => (c === 'A' ? 'B' : 'A'));
    for (const csr of ['not a csr', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', tampered]) {
      const r = await post(t, { service: 'orders', csr, ttlSeconds: 600 }, token);
      expect(r.status, csr).toBe(400);
      expect(r.json.error.code).toBe('MESH_ERR_IDENTITY');
    }
  });

  it('an expired token is 401 and says so', async () => {
    let now = Date.now();
    const t = await startTestDaemon({ now: () => now });
    const token = await joinToken(t, 'orders');
    now += 601_000;
    const r = await post(t, { service: 'orders', csr: csrFor('spiffe://shop.local/svc/orders').csr, ttlSeconds: 600 }, token);
    expect(r.status).toBe(401);
    expect(r.json.error).toMatchObject({ code: 'MESH_ERR_UNAUTHORIZED', message: expect.stringMatching(/expired/) });
  });

  it('a replayed single-use token is 401; a multi-use one admits again', async () => {
    const t = await startTestDaemon();
    const single = await joinToken(t, 'orders');
    const body = () => ({ service: 'orders', csr: csrFor('spiffe://shop.local/svc/orders').csr, ttlSeconds: 600 });
    expect((await post(t, body(), single)).status).toBe(200);
    const replay = await post(t, body(), single);
    expect(replay.status).toBe(401);
    expect(replay.json.error.message).toMatch(/used already/);
    const multi = await joinToken(t, 'orders', { singleUse: false });
    expect((await post(t, body(), multi)).status).toBe(200);
    expect((await post(t, body(), multi)).status).toBe(200);
  });

  it("a token for another service is 403; a forged or foreign token 401; none 401", async () => {
    const t = await startTestDaemon();
    const other = await startTestDaemon();
    const body = { service: 'orders', csr: csrFor('spiffe://shop.local/svc/orders').csr, ttlSeconds: 600 };
    const wrong = await post(t, body, await joinToken(t, 'checkout'));
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.message).toMatch(/for service checkout, not orders/);
    expect((await post(t, body, await joinToken(other, 'orders'))).status).toBe(401);
    expect((await post(t, body, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJvcmRlcnMifQ.')).status).toBe(401);
    expect((await post(t, body)).status).toBe(401);
  });

  it('issuance is rate-limited: 429 with retry-after once the burst is spent', async () => {
    const clock = new FakeClock();
    const t = await startTestDaemon({ issuanceRate: { perSecond: 1, burst: 2 }, clock });
    const token = await joinToken(t, 'orders', { singleUse: false });
    const body = () => ({ service: 'orders', csr: csrFor('spiffe://shop.local/svc/orders').csr, ttlSeconds: 600 });
    expect((await post(t, body(), token)).status).toBe(200);
    expect((await post(t, body(), token)).status).toBe(200);
    const limited = await post(t, body(), token);
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('MESH_ERR_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('1');
    clock.advance(1000);
    expect((await post(t, body(), token)).status).toBe(200);
  });
});
