import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:tls';
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

/** What the server sends an openssl-made client: the handshake outcome, raw. */
function handshake(port: number, leaf: OpensslLeaf | undefined): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, ca: ca.certPem, ...(leaf && { cert: leaf.certPem, key: leaf.keyPem }), checkServerIdentity: () => undefined });
    s.on('secureConnect', () => {
      s.write('GET / HTTP/1.1\r\nhost: orders\r\nconnection: close\r\n\r\n');
    });
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('error', (err) => resolve(`error: ${err.message}`));
    s.on('close', () => resolve(data || 'closed'));
  });
}

async function refusedCount(mesh: Mesh, reason: string): Promise<number> {
  const text = await mesh.metrics.getSingleMetricAsString('inmesh_tls_refused_total');
  const m = new RegExp(`reason="${reason}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
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

  it('a workload refuses certificate files that are for another service', async () => {
    const leaf = leafOf(ca, 'payments');
    const err = await createMesh({ service: 'orders', config: { trustDomain: 'shop.local', identity: { mode: 'files', certFile: leaf.certFile, keyFile: leaf.keyFile, caFile: ca.certFile } } }).catch((e: unknown) => e);
    expect(isMeshError(err) && err.code).toBe('MESH_ERR_IDENTITY');
    expect(String(err)).toMatch(/expected spiffe:\/\/shop\.local\/svc\/orders, the peer presented spiffe:\/\/shop\.local\/svc\/payments/);
  });
});
