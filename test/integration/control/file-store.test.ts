import { X509Certificate, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startControlDaemon } from '../../../src/control/control-daemon.js';
import { callDaemon, csrFor, MESH_YAML, startTestDaemon, tempDir } from '../../helpers/control-daemon.js';

const V2 = MESH_YAML.replace('8081', '8082');

describe('file store', () => {
  it('a restart on the same directory keeps the config version, the registry and the CA; files are private', async () => {
    const dir = tempDir();
    const store = `file:${join(dir, 'state')}`;
    const first = await startTestDaemon({ dir, store });
    expect(first.daemon.adminToken).toMatch(/^inmesh-admin-/);
    expect(readFileSync(join(dir, 'state', 'admin.token'), 'utf8').trim()).toBe(first.daemon.adminToken);
    expect(readFileSync(join(dir, 'state', 'ca.pem'), 'utf8')).toBe(first.daemon.bundlePem);
    await first.call('PUT', '/v1/config', { admin: true, body: V2, headers: { 'content-type': 'application/yaml' } });
    await first.call('PUT', '/v1/registry/services/orders/instances/127.0.0.1%3A8081', { admin: true, body: { labels: { zone: 'a' }, leaseSeconds: 60 } });
    const spent = (await first.call('POST', '/v1/tokens', { admin: true, body: { service: 'orders', ttlSeconds: 600 } })).json.token as string;
    const certificate = (token: string, t: typeof first) =>
      callDaemon(t.daemon.url, t.daemon.bundlePem, 'POST', '/v1/identity/certificates', { token, body: { service: 'orders', csr: csrFor('spiffe://shop.local/svc/orders').csr, ttlSeconds: 600 } });
    expect((await certificate(spent, first)).status).toBe(200);
    const bundle = first.daemon.bundlePem;
    await first.daemon.close();
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'state', 'state.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state', 'admin.token')).mode & 0o777).toBe(0o600);

    const second = await startTestDaemon({ dir, store, configFile: first.configFile });
    expect(second.daemon.adminToken).toBeUndefined();
    expect(second.daemon.bundlePem).toBe(bundle);
    expect((await second.call('GET', '/v1/config')).json).toMatchObject({ version: 2, yaml: V2 });
    expect((await second.call('GET', '/v1/registry/services/orders')).json).toMatchObject({ version: 1, instances: [{ address: '127.0.0.1:8081', labels: { zone: 'a' } }] });
    // The admin token of the first start still works; the server's certificate chains to the same CA.
    const put = await second.call('PUT', '/v1/config', { body: MESH_YAML, headers: { 'content-type': 'application/yaml', authorization: `Bearer ${first.adminToken}` } });
    expect(put.json).toEqual({ version: 3, changed: true });
    // A single-use token spent before the restart stays spent.
    expect((await certificate(spent, second)).status).toBe(401);
  });

  it('one daemon per store directory: a second is refused while the first runs; a lock left by a dead process is taken over', async () => {
    const dir = tempDir();
    const store = `file:${join(dir, 'state')}`;
    const first = await startTestDaemon({ dir, store });
    await expect(startControlDaemon({ configFile: first.configFile, listen: '127.0.0.1:0', store })).rejects.toThrow(new RegExp(`another control daemon \\(pid ${process.pid}\\) uses this store`));
    expect((await first.call('GET', '/healthz')).status).toBe(200);
    await first.daemon.close();
    // A pid no process has: a lock left behind by a crash.
    writeFileSync(join(dir, 'state', 'daemon.lock'), '4194999\n');
    const second = await startTestDaemon({ dir, store, configFile: first.configFile });
    expect((await second.call('GET', '/v1/config')).json.version).toBe(1);
  });

  it('the config file edited while the daemon was down wins over the stored one at start', async () => {
    const dir = tempDir();
    const store = `file:${join(dir, 'state')}`;
    const first = await startTestDaemon({ dir, store });
    await first.daemon.close();
    // File times come from a coarse kernel clock: let it pass the time the first config was applied.
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(first.configFile, V2);
    const second = await startTestDaemon({ dir, store, configFile: first.configFile });
    expect((await second.call('GET', '/v1/config')).json).toMatchObject({ version: 2, yaml: V2 });
  });

  it('a corrupted snapshot: the daemon refuses to start, names the file, and leaves it as it was', async () => {
    const dir = tempDir();
    const store = `file:${join(dir, 'state')}`;
    const first = await startTestDaemon({ dir, store });
    await first.daemon.close();
    const file = join(dir, 'state', 'state.json');
    const damaged = readFileSync(file, 'utf8').slice(0, 200);
    writeFileSync(file, damaged);
    await expect(startControlDaemon({ configFile: first.configFile, listen: '127.0.0.1:0', store })).rejects.toThrow(new RegExp(`control store file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is corrupted`));
    writeFileSync(file, JSON.stringify({ format: 'inmesh-control-store', formatVersion: 1, config: null, instances: [{ service: 1 }], versions: {}, secrets: null, tokens: {} }));
    await expect(startControlDaemon({ configFile: first.configFile, listen: '127.0.0.1:0', store })).rejects.toThrow(/instances\[0\] is not a registered instance/);
    expect(readFileSync(file, 'utf8')).toContain('"service":1');
  });

  it('--store-key-file seals the CA key and the token key; a wrong key or no key refuses to start', async () => {
    const dir = tempDir();
    const store = `file:${join(dir, 'state')}`;
    const keyFile = join(dir, 'store.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    const first = await startTestDaemon({ dir, store, storeKeyFile: keyFile });
    const bundle = first.daemon.bundlePem;
    await first.daemon.close();
    const text = readFileSync(join(dir, 'state', 'state.json'), 'utf8');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).toContain('inmesh-sealed:v1:');

    const again = await startTestDaemon({ dir, store, storeKeyFile: keyFile, configFile: first.configFile, adminToken: first.adminToken });
    expect(again.daemon.bundlePem).toBe(bundle);
    const cert = await again.enrol('orders');
    expect(new X509Certificate(cert.certPem).checkIssued(new X509Certificate(bundle))).toBe(true);
    await again.daemon.close();

    const sealed = readFileSync(join(dir, 'state', 'state.json'), 'utf8');
    const wrongKey = join(dir, 'wrong.key');
    writeFileSync(wrongKey, randomBytes(32).toString('hex'));
    await expect(startControlDaemon({ configFile: first.configFile, listen: '127.0.0.1:0', store, storeKeyFile: wrongKey })).rejects.toThrow(/does not open with this store key/);
    await expect(startControlDaemon({ configFile: first.configFile, listen: '127.0.0.1:0', store })).rejects.toThrow(/sealed: start with the store key/);
    expect(readFileSync(join(dir, 'state', 'state.json'), 'utf8')).toBe(sealed);
  });

  it('a stored trust domain that is not the config file one refuses to start', async () => {
    const dir = tempDir();
    const store = `file:${join(dir, 'state')}`;
    const first = await startTestDaemon({ dir, store });
    await first.daemon.close();
    writeFileSync(first.configFile, MESH_YAML.replace('shop.local', 'other.local'));
    await expect(startControlDaemon({ configFile: first.configFile, listen: '127.0.0.1:0', store })).rejects.toThrow(/trustDomain other.local, but the control store's CA is for shop.local/);
  });

  it('--admin-token-file: the operator gives the admin token; none is generated', async () => {
    const dir = tempDir();
    const tokenFile = join(dir, 'admin.token');
    writeFileSync(tokenFile, 'operator-chosen-admin-token-1234\n');
    const t = await startTestDaemon({ dir, adminTokenFile: tokenFile });
    expect(t.daemon.adminToken).toBeUndefined();
    const r = await t.call('POST', '/v1/tokens', { body: { service: 'orders', ttlSeconds: 60 }, headers: { authorization: 'Bearer operator-chosen-admin-token-1234' } });
    expect(r.status).toBe(201);
  });
});
