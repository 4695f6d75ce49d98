import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { MESH_YAML, startTestDaemon } from '../../helpers/control-daemon.js';

const V2 = MESH_YAML.replace('8081', '8082');
const yaml = { 'content-type': 'application/yaml' };

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('config API', () => {
  it('serves the file it started with as version 1, with the version header', async () => {
    const t = await startTestDaemon();
    const r = await t.call('GET', '/v1/config');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ version: 1, yaml: MESH_YAML });
    expect(r.headers['inmesh-version']).toBe('1');
  });

  it('PUT of a valid mesh.yaml (admin) puts a new version in force; the same text again changes nothing', async () => {
    const t = await startTestDaemon();
    const put = await t.call('PUT', '/v1/config', { admin: true, body: V2, headers: yaml });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ version: 2, changed: true });
    expect((await t.call('GET', '/v1/config')).json).toMatchObject({ version: 2, yaml: V2 });
    expect((await t.call('PUT', '/v1/config', { admin: true, body: V2, headers: yaml })).json).toEqual({ version: 2, changed: false });
  });

  it('PUT of a mesh.yaml whose services use the registry is applied: the workloads it reaches have control.url', async () => {
    const t = await startTestDaemon();
    const registry = 'trustDomain: shop.local\nservices:\n  orders:\n    discovery: { control: true }\n  payments: { timeout: 2s }\n';
    const r = await t.call('PUT', '/v1/config', { admin: true, body: registry, headers: yaml });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ version: 2, changed: true });
  });

  it('PUT of an invalid mesh.yaml is refused with every issue (line, column, key path); the last good stays', async () => {
    const t = await startTestDaemon();
    const bad = 'trustDomain: shop.local\nservices:\n  orders:\n    timeout: 3 parsecs\n    endpoints: ["http://x:1"]\n';
    const r = await t.call('PUT', '/v1/config', { admin: true, body: bad, headers: yaml });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('MESH_ERR_CONFIG_INVALID');
    const issues = r.json.error.issues as { line: number; column: number; path: string; message: string }[];
    expect(issues.length).toBeGreaterThanOrEqual(2);
    expect(issues[0]).toMatchObject({ line: 4, path: 'services.orders.timeout' });
    expect(issues[0]!.column).toBeGreaterThan(0);
    expect(issues.some((i) => i.line === 5 && i.path.startsWith('services.orders.endpoints'))).toBe(true);
    expect((await t.call('GET', '/v1/config')).json).toMatchObject({ version: 1, yaml: MESH_YAML });
  });

  it('PUT that changes the trust domain is refused: the CA is for one trust domain', async () => {
    const t = await startTestDaemon();
    const r = await t.call('PUT', '/v1/config', { admin: true, body: MESH_YAML.replace('shop.local', 'other.local'), headers: yaml });
    expect(r.status).toBe(400);
    expect(r.json.error.issues[0].path).toBe('trustDomain');
  });

  it('PUT without the admin token is 401 and changes nothing', async () => {
    const t = await startTestDaemon();
    const r = await t.call('PUT', '/v1/config', { body: V2, headers: { ...yaml, authorization: 'Bearer inmesh-admin-wrong' } });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('MESH_ERR_UNAUTHORIZED');
    expect((await t.call('GET', '/v1/config')).json.version).toBe(1);
  });

  it('a blocking query answers at once when the version differs', async () => {
    const t = await startTestDaemon();
    const started = Date.now();
    const r = await t.call('GET', '/v1/config?version=0&wait=30s');
    expect(r.json.version).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a blocking query answers when the version changes', async () => {
    const t = await startTestDaemon();
    const waiting = t.call('GET', '/v1/config?version=1&wait=30s');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await t.call('PUT', '/v1/config', { admin: true, body: V2, headers: yaml });
    const r = await waiting;
    expect(r.json).toMatchObject({ version: 2, yaml: V2 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a blocking query answers with the same version when its wait passes', async () => {
    const t = await startTestDaemon();
    const started = Date.now();
    const r = await t.call('GET', '/v1/config?version=1&wait=300ms');
    expect(r.status).toBe(200);
    expect(r.json.version).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('refuses bad version and wait values with 400', async () => {
    const t = await startTestDaemon();
    for (const q of ['version=-1', 'version=abc', 'version=1.5', 'wait=10', 'wait=forever', 'wait=301s', 'wait=6m', 'version=1&version=2']) {
      const r = await t.call('GET', `/v1/config?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.error.code, q).toBe('MESH_ERR_BAD_REQUEST');
    }
  });

  it('the event stream sends the version in force, then each new one', async () => {
    const t = await startTestDaemon();
    const agent = new Agent({ connect: { ca: t.daemon.bundlePem } });
    try {
      const res = await request(new URL('/v1/config/stream', t.daemon.url), { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      let text = '';
      const events = (async () => {
        for await (const chunk of res.body) {
          text += chunk.toString();
          if (text.includes('id: 2\n')) break;
        }
      })();
      await until(() => text.includes('id: 1\n'));
      await t.call('PUT', '/v1/config', { admin: true, body: V2, headers: yaml });
      await events;
      const last = text.split('\n\n').find((e) => e.startsWith('id: 2'))!;
      expect(last).toContain('event: config');
      expect(JSON.parse(last.split('data: ')[1]!)).toMatchObject({ version: 2, yaml: V2 });
      res.body.destroy();
    } finally {
      await agent.destroy();
    }
  });

  it('close() answers parked queries and ends event streams', async () => {
    const t = await startTestDaemon();
    const agent = new Agent({ connect: { ca: t.daemon.bundlePem } });
    try {
      const parked = t.call('GET', '/v1/config?version=1&wait=5m');
      const res = await request(new URL('/v1/config/stream', t.daemon.url), { dispatcher: agent });
      const ended = (async () => {
        for await (const _ of res.body) void _;
      })();
      // Both are parked once the stream has answered with its headers and the query had as long.
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await t.daemon.close();
      expect((await parked).json.version).toBe(1);
      await ended;
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await agent.destroy();
    }
  });

  it('an edit of the config file pushes a new version; an invalid edit is refused with a line-numbered log and the last good stays', async () => {
    const t = await startTestDaemon();
    writeFileSync(join(t.dir, 'next.yaml'), V2);
    renameSync(join(t.dir, 'next.yaml'), t.configFile);
    await until(() => t.daemon.store.config()?.version === 2);
    expect(t.daemon.store.config()?.yaml).toBe(V2);

    writeFileSync(t.configFile, `${V2}  bad: [unclosed\n`);
    await until(() => t.log.at('error').length > 0);
    const refused = t.log.at('error')[0]!;
    expect(refused.msg).toMatch(/rejected; the last good one stays/);
    expect((refused.fields!.issues as string[])[0]).toMatch(new RegExp(`${t.configFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+`));
    expect((await t.call('GET', '/v1/config')).json).toMatchObject({ version: 2, yaml: V2 });
  });
});
