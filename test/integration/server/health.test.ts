import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Mesh, Registrar, ServedInstance } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { gate, get, serverMesh } from './serve-helpers.js';

const meshes: Mesh[] = [];
afterEach(async () => {
  for (const m of meshes.splice(0)) await m.close();
});

async function probe(mesh: Mesh, path: '/healthz' | '/readyz'): Promise<{ status: number; checks?: Record<string, { ok: boolean }> }> {
  const res = await get(`${mesh.admin!.url}${path}`);
  return path === '/readyz' ? { status: res.status, checks: (JSON.parse(res.body) as { checks: Record<string, { ok: boolean }> }).checks } : { status: res.status };
}

/** A registrar whose answers the test controls, recording what it was told. */
function manualRegistrar() {
  const calls: string[] = [];
  const registered = gate();
  const registrar: Registrar = {
    async register(i: ServedInstance) {
      calls.push(`register ${i.address} ${i.protocols.join(',')}`);
      await registered.wait();
    },
    async deregister(i: ServedInstance) {
      calls.push(`deregister ${i.address}`);
    },
  };
  return { registrar, calls, finishRegistration: registered.open };
}

describe('/healthz and /readyz on the admin port, through startup, drain and stop', () => {
  it('startup: not ready until the instance is registered; live all along', async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    const { registrar, calls, finishRegistration } = manualRegistrar();
    const serving = mesh.serve((_req, res) => res.end('ok'), { registrar });
    await waitFor(() => calls.length === 1, 5000, 'registration to start');
    expect(await probe(mesh, '/healthz')).toEqual({ status: 200 });
    const starting = await probe(mesh, '/readyz');
    expect(starting.status).toBe(503);
    expect(starting.checks).toMatchObject({ registered: { ok: false }, serving: { ok: true }, config: { ok: true } });
    finishRegistration();
    const served = await serving;
    expect(calls).toEqual([`register 127.0.0.1:${served.port} http/1.1,h2c`]);
    expect((await probe(mesh, '/readyz')).status).toBe(200);
    expect(new URL(mesh.admin!.url).port).not.toBe(String(served.port)); // health lives apart from the app
  });

  it("the application's readiness checks count", async () => {
    const mesh = await serverMesh();
    meshes.push(mesh);
    let dbUp = false;
    await mesh.serve((_req, res) => res.end('ok'), { readiness: { db: () => dbUp } });
    const down = await probe(mesh, '/readyz');
    expect([down.status, down.checks?.db]).toEqual([503, { ok: false, message: 'check returned false' }]);
    dbUp = true;
    expect((await probe(mesh, '/readyz')).status).toBe(200);
  });

  it('drain: not ready (but live) while in-flight requests finish; deregistered; then the admin port is gone', async () => {
    const mesh = await serverMesh();
    const { registrar, calls, finishRegistration } = manualRegistrar();
    finishRegistration();
    const release = gate();
    let entered = false;
    const served = await mesh.serve(
      async (_req, res) => {
        entered = true;
        await release.wait();
        res.end('finished');
      },
      { registrar },
    );
    expect((await probe(mesh, '/readyz')).status).toBe(200);
    const inFlight = get(`${served.url}/slow`);
    await waitFor(() => entered, 5000, 'the request to start');
    const adminUrl = mesh.admin!.url;
    const closing = mesh.close();
    await waitFor(() => calls.includes(`deregister 127.0.0.1:${served.port}`), 5000, 'deregistration');
    const draining = await probe(mesh, '/readyz');
    expect(draining.status).toBe(503);
    expect(draining.checks?.serving).toEqual({ ok: false, message: 'check returned false' });
    expect((await probe(mesh, '/healthz')).status).toBe(200);
    release.open();
    const res = await inFlight;
    expect([res.status, res.body, res.headers.connection]).toEqual([200, 'finished', 'close']);
    await closing;
    await expect(request(`${adminUrl}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
