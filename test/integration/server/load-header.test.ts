import { afterEach, describe, expect, it } from 'vitest';
import type { Mesh } from '../../../src/index.js';
import { clientMesh, get, serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
afterEach(async () => {
  for (const m of meshes.splice(0)) await m.close();
});

describe('inmesh-load goes to mesh callers only', () => {
  it('a plain client (curl) learns nothing of the load; a mesh client, even with no deadline, gets the report', async () => {
    const server = await serverMesh();
    meshes.push(server);
    const served = await server.serve((_req, res) => res.end('ok'));
    const plain = await get(`${served.url}/`);
    expect(plain.status).toBe(200);
    expect(plain.headers['inmesh-load']).toBeUndefined();

    const client = await clientMesh({ orders: [`127.0.0.1:${served.port}`] });
    meshes.unshift(client); // closed before the server
    const untimed = await client.request('http://orders/');
    await untimed.body.text();
    expect(untimed.headers['inmesh-load']).toMatch(/^inflight=1;elu=/);
  });
});
