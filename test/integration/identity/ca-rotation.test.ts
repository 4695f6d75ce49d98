import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createMesh, type Mesh } from '../../../src/index.js';
import { CertificateAuthority, issueWorkloadCredentials, type Credentials } from '../../../src/identity/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';

const base = mkdtempSync(join(tmpdir(), 'inmesh-ca-rotation-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const open = closeAfterEach();
const DAY = 86_400_000;

/** A workload's three files, replaced the way cert-manager does: written beside, renamed over. */
function filesFor(name: string) {
  const f = { certFile: join(base, `${name}.crt`), keyFile: join(base, `${name}.key`), caFile: join(base, `${name}-ca.crt`) };
  const put = (c: Credentials) => {
    for (const [file, text, mode] of [
      [f.certFile, c.certPem, 0o644],
      [f.keyFile, c.keyPem, 0o600],
      [f.caFile, c.bundlePem, 0o644],
    ] as const) {
      writeFileSync(`${file}.new`, text, { mode });
      renameSync(`${file}.new`, file);
    }
  };
  return { files: f, put };
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function expiryOf(mesh: Mesh): Promise<string> {
  return mesh.metrics.getSingleMetricAsString('inmesh_cert_expiry_timestamp_seconds');
}

describe('trust bundle rotation', () => {
  it('trusts the new CA beside the old before anything is signed by it; then peers on different CAs still talk', async () => {
    const oldCa = CertificateAuthority.create({ trustDomain: 'shop.local', ttl: 30 * DAY });
    const newCa = CertificateAuthority.create({ trustDomain: 'shop.local', ttl: 60 * DAY });
    const orders = filesFor('orders');
    const checkout = filesFor('checkout');
    const leaf = (ca: CertificateAuthority, svc: string, bundle: string): Credentials => ({ ...issueWorkloadCredentials(ca, `spiffe://shop.local/svc/${svc}`, DAY), bundlePem: bundle });
    orders.put(leaf(oldCa, 'orders', oldCa.bundlePem));
    checkout.put(leaf(oldCa, 'checkout', oldCa.bundlePem));
    const server = open.add(await createMesh({ service: 'orders', config: { trustDomain: 'shop.local', identity: { mode: 'files', ...orders.files }, inbound: { mtls: 'strict' } } }));
    const served = open.add(await server.serve((req, res) => res.end(req.mesh.peer)));
    const client = open.add(await createMesh({ service: 'checkout', config: { trustDomain: 'shop.local', identity: { mode: 'files', ...checkout.files }, services: { orders: { endpoints: [`127.0.0.1:${served.port}`], connections: 1 } } } }));
    const call = async () => {
      const res = await client.request('http://orders/', { headers: { connection: 'close' } });
      return [res.statusCode, await res.body.text()];
    };
    expect(await call()).toEqual([200, 'spiffe://shop.local/svc/checkout']);

    // 1. Both bundles carry both CAs; certificates unchanged.
    const both = oldCa.bundlePem + newCa.bundlePem;
    orders.put(leaf(oldCa, 'orders', both));
    checkout.put(leaf(oldCa, 'checkout', both));
    // 2. The server moves to a leaf of the new CA while the client is still on the old one.
    const next = leaf(newCa, 'orders', both);
    orders.put(next);
    const notAfter = Math.floor(Date.parse(new X509Certificate(next.certPem).validTo) / 1000);
    await until(async () => (await expiryOf(server)).includes(String(notAfter)));
    // The client reads its new bundle from the files on its own time: until it has, the server's
    // new leaf is refused (SELF_SIGNED_CERT_IN_CHAIN), which is what the last step shows on purpose.
    await until(async () => (await call().catch(() => [0]))[0] === 200);
    expect(await call()).toEqual([200, 'spiffe://shop.local/svc/checkout']);

    // Without the new CA in the client's bundle, the same server is refused: the order matters.
    checkout.put(leaf(oldCa, 'checkout', oldCa.bundlePem));
    await until(async () => {
      const r = await client.request('http://orders/', { headers: { connection: 'close' } }).then(
        async (res) => (await res.body.dump(), 'ok'),
        (e: { code?: string }) => e.code,
      );
      return r === 'MESH_ERR_PEER_IDENTITY';
    });
  });
});
