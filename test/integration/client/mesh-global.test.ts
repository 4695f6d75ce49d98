import { afterEach, describe, expect, it } from 'vitest';
import { getGlobalDispatcher, setGlobalDispatcher, Agent, request as undiciRequest } from 'undici';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startNamedServer, type TestServer } from '../../helpers/http-server.js';

const open = closeAfterEach();
const original = getGlobalDispatcher();
const builtInSlot = Symbol.for('undici.globalDispatcher.1');
const builtInDispatcher = () => (globalThis as unknown as Record<symbol, unknown>)[builtInSlot];

afterEach(() => setGlobalDispatcher(original));

async function ordersMesh(server: TestServer, extra: { global?: boolean } = { global: true }): Promise<Mesh> {
  const mesh = open.add(await createMesh({ service: 'checkout', watch: false, ...extra, config: { services: { orders: { endpoints: [server.address], tls: 'none' } } } }));
  await mesh.ready();
  return mesh;
}

describe('createMesh({ global: true })', () => {
  it("routes Node's built-in fetch and undici.request through the mesh, and close() restores the previous dispatcher", async () => {
    const inside = open.add(await startNamedServer('orders-1'));
    const outside = open.add(await startNamedServer('outside'));
    const mesh = await ordersMesh(inside);

    expect(builtInDispatcher()).toBe(mesh.dispatcher);
    const viaBuiltIn = await globalThis.fetch('http://orders/api/orders/1');
    expect(await viaBuiltIn.json()).toEqual({ name: 'orders-1', host: 'orders', path: '/api/orders/1' });
    const viaRequest = await undiciRequest('http://orders/x');
    expect(await viaRequest.body.json()).toMatchObject({ name: 'orders-1', path: '/x' });
    expect(mesh.stats().outbound.find((s) => s.service === 'orders')!.requests).toBe(2);

    await mesh.close();
    expect(builtInDispatcher()).toBe(original);
    expect(getGlobalDispatcher()).toBe(original);
    // A closed mesh no longer stands in the way of the process's own calls.
    const after = await globalThis.fetch(`${outside.url}/after-close`);
    expect(await after.json()).toMatchObject({ name: 'outside', path: '/after-close' });
    const afterRequest = await undiciRequest(`${outside.url}/after-close`);
    expect(afterRequest.statusCode).toBe(200);
    await afterRequest.body.dump();
  });

  it('leaves the global dispatcher alone without the option', async () => {
    const inside = open.add(await startNamedServer('orders-1'));
    await ordersMesh(inside, {});
    expect(builtInDispatcher()).toBe(original);
  });

  it('two global meshes closed in either order end with the dispatcher from before both', async () => {
    const inside = open.add(await startNamedServer('orders-1'));
    const first = await ordersMesh(inside);
    const second = await ordersMesh(inside);
    expect(builtInDispatcher()).toBe(second.dispatcher);
    await first.close();
    expect(builtInDispatcher()).toBe(second.dispatcher);
    await second.close();
    expect(builtInDispatcher()).toBe(original);
  });

  it('does not undo a dispatcher the application installed after the mesh', async () => {
    const inside = open.add(await startNamedServer('orders-1'));
    const mesh = await ordersMesh(inside);
    const mine = open.add(new Agent());
    setGlobalDispatcher(mine);
    await mesh.close();
    expect(builtInDispatcher()).toBe(mine);
  });
});
