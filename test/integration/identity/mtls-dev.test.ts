import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh, isMeshError } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const open = closeAfterEach();

function devDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'inmesh-dev-'));
  dirs.push(d);
  return join(d, '.inmesh');
}

describe('dev identity: mTLS with nothing to configure', () => {
  it('two workloads with no identity key call each other over mTLS, each seeing the other by SPIFFE ID', async () => {
    const dir = devDir();
    const orders = open.add(await createMesh({ service: 'orders', config: { identity: { mode: 'dev', dir } } }));
    const server = open.add(await orders.serve((req, res) => res.end(JSON.stringify({ peer: req.mesh.peer, tls: 'encrypted' in req.socket }))));
    const checkout = open.add(await createMesh({ service: 'checkout', config: { identity: { mode: 'dev', dir }, services: { orders: { endpoints: [`127.0.0.1:${server.port}`] } } } }));
    const res = await checkout.request('http://orders/');
    expect(await res.body.json()).toEqual({ peer: 'spiffe://cluster.local/svc/checkout', tls: true });
    const expiry = await checkout.metrics.getSingleMetricAsString('inmesh_cert_expiry_timestamp_seconds');
    const at = Number(/spiffe_id="spiffe:\/\/cluster.local\/svc\/checkout"\} (\d+)/.exec(expiry)?.[1]);
    // The default certTtl is 24 h.
    expect(at * 1000 - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(at * 1000 - Date.now()).toBeLessThanOrEqual(24 * 3_600_000 + 1000);
  });

  it('identity.mode none: plaintext to a mesh service, and the server sees no peer', async () => {
    const orders = open.add(await createMesh({ service: 'orders', config: { identity: { mode: 'none' } } }));
    const server = open.add(await orders.serve((req, res) => res.end(JSON.stringify({ peer: req.mesh.peer ?? null, tls: 'encrypted' in req.socket }))));
    const checkout = open.add(await createMesh({ service: 'checkout', config: { identity: { mode: 'none' }, services: { orders: { endpoints: [`127.0.0.1:${server.port}`] } } } }));
    expect(await (await checkout.request('http://orders/')).body.json()).toEqual({ peer: null, tls: false });
  });

  it('refuses to start with a dev CA key that other users can read, naming the file and the fix', async () => {
    const dir = devDir();
    open.add(await createMesh({ service: 'orders', config: { identity: { mode: 'dev', dir } } }));
    chmodSync(join(dir, 'ca.key'), 0o644);
    const err = await createMesh({ service: 'checkout', config: { identity: { mode: 'dev', dir } } }).catch((e: unknown) => e);
    expect(isMeshError(err) && err.code).toBe('MESH_ERR_IDENTITY');
    expect(String(err)).toMatch(/ca\.key/);
    expect(String(err)).toMatch(/chmod/);
  });

  it('renews the certificate at half its life without a restart, and new connections get the new one', async () => {
    const dir = devDir();
    // Two-second certificates: renewed about every second.
    const orders = open.add(await createMesh({ service: 'orders', config: { identity: { mode: 'dev', dir, certTtl: '2s' } } }));
    const server = open.add(await orders.serve((_req, res) => res.end('ok')));
    const checkout = open.add(await createMesh({ service: 'checkout', config: { identity: { mode: 'dev', dir, certTtl: '2s' }, services: { orders: { endpoints: [`127.0.0.1:${server.port}`] } } } }));
    let failed = 0;
    let ok = 0;
    const until = Date.now() + 3500;
    while (Date.now() < until && ok < 50_000) {
      const res = await checkout.request('http://orders/').catch(() => undefined);
      if (res?.statusCode === 200) ok++;
      else failed++;
      await res?.body.dump();
    }
    expect(failed).toBe(0);
    expect(ok).toBeGreaterThan(0);
    const rotations = await orders.metrics.getSingleMetricAsString('inmesh_cert_rotations_total');
    const renewed = Number(/result="renewed"\} (\d+)/.exec(rotations)?.[1] ?? 0);
    // Half of what is left each time: 1 s, 0.5 s, … — a few in 3.5 s, not a renewal per tick.
    expect(renewed).toBeGreaterThanOrEqual(2);
    expect(renewed).toBeLessThan(40);
  });
});
