import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { createMesh, isMeshError, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { opensslCa, type OpensslCa, type OpensslLeaf } from '../../helpers/openssl-pki.js';

const ca = opensslCa('shop CA');
const foreign = opensslCa('foreign CA');
afterAll(() => {
  ca.remove();
  foreign.remove();
});
const leaves = new Map<string, OpensslLeaf>();
function leafOf(authority: OpensslCa, service: string, uris = [`spiffe://shop.local/svc/${service}`]): OpensslLeaf {
  const key = `${authority.dir}:${service}:${uris.join(',')}`;
  let l = leaves.get(key);
  if (!l) {
    l = authority.leaf(`${service}-${leaves.size}`, { uris });
    chmodSync(l.keyFile, 0o600);
    leaves.set(key, l);
  }
  return l;
}

const open = closeAfterEach();

async function filesMesh(service: string, extra: Record<string, unknown> = {}, leaf = leafOf(ca, service)): Promise<Mesh> {
  return open.add(
    await createMesh({
      service,
      config: { trustDomain: 'shop.local', identity: { mode: 'files', certFile: leaf.certFile, keyFile: leaf.keyFile, caFile: ca.certFile }, ...extra },
    }),
  );
}

async function ordersServer(extra: Record<string, unknown> = {}) {
  const mesh = await filesMesh('orders', extra);
  const server = open.add(await mesh.serve((req, res) => res.end(JSON.stringify({ peer: req.mesh.peer ?? null, encrypted: 'encrypted' in req.socket }))));
  return { mesh, server };
}

function checkoutCalling(port: number, leaf?: OpensslLeaf, as = 'checkout'): Promise<Mesh> {
  return filesMesh(as, { services: { orders: { endpoints: [`127.0.0.1:${port}`] } } }, leaf ?? leafOf(ca, as));
}

/** The serial number of the certificate a server presents to a new connection. */
function servedSerial(port: number, client: OpensslLeaf): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: client.certPem, key: client.keyPem, checkServerIdentity: () => undefined }, () => {
      resolve(s.getPeerX509Certificate()!.serialNumber);
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('mTLS with identity from files (openssl-made certificates)', () => {
  it('calls a mesh service over mTLS: the server sees the caller\'s SPIFFE ID, the client checks the server\'s', async () => {
    const { server } = await ordersServer();
    const checkout = await checkoutCalling(server.port);
    const res = await checkout.request('http://orders/');
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ peer: 'spiffe://shop.local/svc/checkout', encrypted: true });
    expect(server.protocols).toContain('mtls:http/1.1');
  });

  it('refuses a key file that every user can read, naming it and the fix', async () => {
    const leaf = ca.leaf('loose', { uris: ['spiffe://shop.local/svc/orders'] });
    chmodSync(leaf.keyFile, 0o644);
    const err = await createMesh({ service: 'orders', config: { trustDomain: 'shop.local', identity: { mode: 'files', certFile: leaf.certFile, keyFile: leaf.keyFile, caFile: ca.certFile } } }).catch((e: unknown) => e);
    expect(isMeshError(err) && err.code).toBe('MESH_ERR_IDENTITY');
    expect(String(err)).toContain(`${leaf.keyFile} is readable by other users (mode 0644); run chmod 600`);
  });

  it('a workload refuses certificate files that are for another service', async () => {
    const leaf = leafOf(ca, 'payments');
    const err = await createMesh({ service: 'orders', config: { trustDomain: 'shop.local', identity: { mode: 'files', certFile: leaf.certFile, keyFile: leaf.keyFile, caFile: ca.certFile } } }).catch((e: unknown) => e);
    expect(isMeshError(err) && err.code).toBe('MESH_ERR_IDENTITY');
    expect(String(err)).toMatch(/expected spiffe:\/\/shop\.local\/svc\/orders, the peer presented spiffe:\/\/shop\.local\/svc\/payments/);
  });

  it('rotates: new files are picked up by the running server without a restart, and no request fails meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inmesh-rotate-'));
    try {
      const a = leafOf(ca, 'orders');
      const b = ca.leaf('orders-next', { uris: ['spiffe://shop.local/svc/orders'] });
      const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), caFile: join(dir, 'ca.crt') };
      const put = (l: OpensslLeaf) => {
        // As cert-manager does: write beside, then rename over, so a reader never sees half a file.
        writeFileSync(`${files.certFile}.tmp`, l.certPem);
        writeFileSync(`${files.keyFile}.tmp`, l.keyPem, { mode: 0o600 });
        copyFileSync(`${files.certFile}.tmp`, files.certFile);
        copyFileSync(`${files.keyFile}.tmp`, files.keyFile);
        chmodSync(files.keyFile, 0o600);
      };
      put(a);
      writeFileSync(files.caFile, ca.certPem);
      const mesh = open.add(await createMesh({ service: 'orders', config: { trustDomain: 'shop.local', identity: { mode: 'files', ...files } } }));
      const server = open.add(await mesh.serve((_req, res) => res.end('ok')));
      const checkout = await checkoutCalling(server.port);
      const client = leafOf(ca, 'checkout');
      expect(await servedSerial(server.port, client)).toBe(new X509Certificate(a.certPem).serialNumber);

      let failures = 0;
      let done = 0;
      let stop = false;
      const load = (async () => {
        const until = Date.now() + 8000;
        while (!stop && Date.now() < until && done < 20_000) {
          const res = await checkout.request('http://orders/').catch(() => undefined);
          if (res?.statusCode === 200) done++;
          else failures++;
          await res?.body.dump();
        }
      })();
      put(b);
      const want = new X509Certificate(b.certPem).serialNumber;
      const until = Date.now() + 5000;
      let seen = '';
      while (Date.now() < until && (seen = await servedSerial(server.port, client)) !== want) await new Promise((r) => setTimeout(r, 50));
      stop = true;
      await load;
      expect(seen).toBe(want);
      expect(failures).toBe(0);
      expect(done).toBeGreaterThan(0);
      expect(await mesh.metrics.getSingleMetricAsString('inmesh_cert_expiry_timestamp_seconds')).toContain(String(Math.floor(Date.parse(new X509Certificate(b.certPem).validTo) / 1000)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
