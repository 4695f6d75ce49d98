import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync } from 'node:fs';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { opensslCa, type OpensslLeaf } from '../../helpers/openssl-pki.js';

const ca = opensslCa('shop CA');
afterAll(() => ca.remove());
const leaves: Record<string, OpensslLeaf> = {};
for (const name of ['orders', 'checkout', 'payments']) {
  leaves[name] = ca.leaf(name, { uris: [`spiffe://shop.local/svc/${name}`] });
  chmodSync(leaves[name]!.keyFile, 0o600);
}
const identity = (name: string) => ({ mode: 'files', certFile: leaves[name]!.certFile, keyFile: leaves[name]!.keyFile, caFile: ca.certFile });
const open = closeAfterEach();

describe('authorization by the SPIFFE ID proven over mTLS', () => {
  it('lets the allowed caller through and refuses another mesh workload with 403 MESH_ERR_UNAUTHORIZED, before the handler', async () => {
    let handled = 0;
    const orders = open.add(
      await createMesh({
        service: 'orders',
        config: { trustDomain: 'shop.local', identity: identity('orders'), authorization: { orders: [{ from: ['spiffe://shop.local/svc/checkout'], methods: ['GET'], paths: ['/api/*'] }] } },
      }),
    );
    const server = open.add(
      await orders.serve((req, res) => {
        handled++;
        res.end(req.mesh.peer);
      }),
    );
    const caller = async (name: string): Promise<Mesh> =>
      open.add(await createMesh({ service: name, config: { trustDomain: 'shop.local', identity: identity(name), services: { orders: { endpoints: [`127.0.0.1:${server.port}`] } } } }));
    const checkout = await caller('checkout');
    const payments = await caller('payments');

    const ok = await checkout.request('http://orders/api/orders/1');
    expect([ok.statusCode, await ok.body.text()]).toEqual([200, 'spiffe://shop.local/svc/checkout']);
    const denied = await payments.request('http://orders/api/orders/1');
    expect(denied.statusCode).toBe(403);
    expect(await denied.body.text()).toMatch(/MESH_ERR_UNAUTHORIZED/);
    const wrongPath = await checkout.request('http://orders/admin');
    expect(wrongPath.statusCode).toBe(403);
    await wrongPath.body.dump();
    expect(handled).toBe(1);
    const counted = await orders.metrics.getSingleMetricAsString('inmesh_authz_denied_total');
    expect(counted).toMatch(/reason="no-rule"\} 2/);
  });
});
