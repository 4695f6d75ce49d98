import { describe, expect, it } from 'vitest';
import { getGlobalDispatcher, setGlobalDispatcher, request as undiciRequest } from 'undici';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startNamedServer } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);
const original = getGlobalDispatcher();


describe('setGlobalDispatcher(mesh.dispatcher)', () => {
  it("routes Node's built-in fetch and undici.request to mesh services, and other hosts straight out", async () => {
    const inside = await startNamedServer('orders-1');
    const outside = await startNamedServer('outside');
    open.add(inside);
    open.add(outside);
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { endpoints: [inside.address], tls: 'none' } } } });
    await mesh.ready();
    setGlobalDispatcher(mesh.dispatcher);

    const viaBuiltIn = await globalThis.fetch('http://orders/api/orders/1');
    expect(viaBuiltIn.status).toBe(200);
    expect(await viaBuiltIn.json()).toEqual({ name: 'orders-1', host: 'orders', path: '/api/orders/1' });

    const viaRequest = await undiciRequest('http://orders/x');
    expect(await viaRequest.body.json()).toMatchObject({ name: 'orders-1', path: '/x' });

    const passed = await globalThis.fetch(`${outside.url}/direct`);
    expect(await passed.json()).toMatchObject({ name: 'outside', path: '/direct' });
    expect(inside.hits()).toBe(2);
    expect(outside.hits()).toBe(1);
    expect(mesh.stats().outbound.find((s) => s.service === 'orders')!.requests).toBe(2);
  });
});
