import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { startTestDaemon } from '../../helpers/control-daemon.js';

/** Sends raw bytes over TLS and collects what comes back until the daemon closes the connection. */
function raw(url: string, ca: string, chunks: readonly string[], pauseMs = 0): Promise<{ text: string; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, async () => {
      for (const c of chunks) {
        socket.write(c);
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
    let text = '';
    socket.setEncoding('utf8').on('data', (d: string) => (text += d));
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

describe('HTTP limits', () => {
  it('answers bad requests with 4xx JSON and a MeshError code', async () => {
    const t = await startTestDaemon();
    const cases: [string, string, Parameters<typeof t.call>[2], number][] = [
      ['GET', '/v2/nothing', {}, 404],
      ['DELETE', '/v1/config', {}, 405],
      ['POST', '/v1/tokens', { admin: true, body: '{"service":', headers: { 'content-type': 'application/json' } }, 400],
      ['POST', '/v1/tokens', { admin: true, body: '[1,2]', headers: { 'content-type': 'application/json' } }, 400],
      ['POST', '/v1/tokens', { admin: true, body: 'service=orders', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
      ['POST', '/v1/tokens', { admin: true, body: { service: 'orders', ttlSeconds: 10 } }, 400],
      ['POST', '/v1/identity/certificates', { body: 'x'.repeat(70_000), headers: { 'content-type': 'application/json' } }, 413],
      ['PUT', '/v1/config', { admin: true, body: Buffer.from([0xff, 0xfe, 0x41]), headers: { 'content-type': 'text/plain' } }, 400],
      ['GET', '/v1/registry/services/%E0%A4%A', {}, 400],
    ];
    for (const [method, path, o, status] of cases) {
      const r = await t.call(method, path, o);
      expect(r.status, `${method} ${path}`).toBe(status);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.json.error.code).toMatch(/^MESH_ERR_/);
    }
    expect((await t.call('PUT', '/v1/config', { admin: true, body: Buffer.from([0xff, 0xfe, 0x41]), headers: { 'content-type': 'text/plain' } })).json.error.message).toMatch(/not valid UTF-8/);
    expect((await t.call('DELETE', '/v1/config')).headers.allow).toBe('GET, HEAD, PUT');
  });

  it('a config body over 8 MiB is 413', async () => {
    const t = await startTestDaemon();
    const r = await t.call('PUT', '/v1/config', { admin: true, body: `# ${'x'.repeat(8 * 1024 * 1024)}`, headers: { 'content-type': 'application/yaml' } });
    expect(r.status).toBe(413);
    expect((await t.call('GET', '/v1/config')).json.version).toBe(1);
  });

  it('a client that stalls mid-body gets 408 and pins nothing; one that stalls in its head gets 408; the daemon answers others meanwhile', async () => {
    const t = await startTestDaemon({ headersTimeoutMs: 400, requestTimeoutMs: 800 });
    const head = `PUT /v1/config HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${t.adminToken}\r\ncontent-type: application/yaml\r\ncontent-length: 1000\r\n\r\n`;
    const stalledBody = raw(t.daemon.url, t.daemon.bundlePem, [head, 'trustDomain: shop.local\n']);
    const stalledHead = raw(t.daemon.url, t.daemon.bundlePem, ['GET /healthz HTTP/1.1\r\nhost: x\r\n']);
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    const [body, headOnly] = await Promise.all([stalledBody, stalledHead]);
    expect(body.text).toMatch(/^HTTP\/1\.1 408/);
    expect(body.text).toContain('MESH_ERR_BAD_REQUEST');
    expect(body.ms).toBeLessThan(3000);
    expect(headOnly.text).toMatch(/^HTTP\/1\.1 408/);
    expect(headOnly.text).toContain('"code":"MESH_ERR_BAD_REQUEST"');
    expect((await t.call('GET', '/v1/config')).json.version).toBe(1);
  });

  it('garbage instead of HTTP gets a 400 JSON answer and the connection closes', async () => {
    const t = await startTestDaemon();
    const r = await raw(t.daemon.url, t.daemon.bundlePem, ['\x00\x01 not http\r\n\r\n']);
    expect(r.text).toMatch(/^HTTP\/1\.1 400/);
    expect(r.text).toContain('MESH_ERR_BAD_REQUEST');
  });

  it('serves healthz, readyz and metrics; the daemon certificate is for spiffe://<td>/control and 127.0.0.1', async () => {
    const t = await startTestDaemon();
    expect((await t.call('GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await t.call('GET', '/readyz')).json).toMatchObject({ status: 'ready', store: 'memory', configVersion: 1 });
    await t.call('GET', '/nope');
    const m = await t.call('GET', '/metrics');
    expect(m.text).toContain('inmesh_control_requests_total{route="unmatched",method="GET",status="404"} 1');
    expect(m.text).toContain('inmesh_control_config_version 1');
    const { hostname, port } = new URL(t.daemon.url);
    const san = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: hostname, port: Number(port), ca: t.daemon.bundlePem }, () => {
        resolve(s.getPeerX509Certificate()!.subjectAltName ?? '');
        s.destroy();
      }).on('error', reject);
    });
    expect(san).toContain('URI:spiffe://shop.local/control');
    expect(san).toContain('IP Address:127.0.0.1');
  });
});
