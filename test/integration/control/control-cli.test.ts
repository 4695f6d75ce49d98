import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { callDaemon, csrFor, MESH_YAML, tempDir } from '../../helpers/control-daemon.js';
import { main } from '../../../src/cli/main.js';

const CLI = fileURLToPath(new URL('../../helpers/inmesh-cli.ts', import.meta.url));
// The children run in a temp directory, so tsx is named by its path, not resolved from there.
const TSX = pathToFileURL(join(createRequire(import.meta.url).resolve('tsx/package.json'), '..', 'dist', 'loader.mjs')).href;
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.exitCode === null && p.pid !== undefined) process.kill(p.pid, 'SIGKILL');
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function inmesh(args: readonly string[], cwd: string): ChildProcess & { out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INMESH_CONTROL_STORE_KEY_FILE: '' } }) as ChildProcess & { out: { stdout: string; stderr: string } };
  child.out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (child.out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (child.out.stderr += d));
  running.push(child);
  return child;
}

async function run(args: readonly string[], cwd: string): Promise<Run> {
  const child = inmesh(args, cwd);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, ...child.out };
}

async function startDaemon(cwd: string): Promise<{ child: ChildProcess & { out: { stdout: string; stderr: string } }; url: string }> {
  writeFileSync(join(cwd, 'daemon.yaml'), MESH_YAML);
  const child = inmesh(['control', '--config', 'daemon.yaml', '--listen', '127.0.0.1:0'], cwd);
  const end = Date.now() + 15_000;
  while (!/listening on (https:\/\/\S+)/.test(child.out.stdout)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`the daemon did not start: ${child.out.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: /listening on (https:\/\/\S+)/.exec(child.out.stdout)![1]! };
}

describe('inmesh control, token and apply', () => {
  it('token create and apply work end to end with the defaults the daemon wrote, and SIGTERM stops the daemon', { timeout: 60_000 }, async () => {
    const cwd = tempDir();
    const { child, url } = await startDaemon(cwd);
    expect(child.out.stderr).toMatch(/the admin token \(shown once, also in \.inmesh\/control\/admin\.token\): inmesh-admin-/);
    writeFileSync(join(cwd, 'mesh.yaml'), `trustDomain: shop.local\ncontrol: { url: "${url}" }\n`);

    const token = await run(['token', 'create', '--service', 'orders', '--ttl', '1h'], cwd);
    expect(token.code, token.stderr).toBe(0);
    const jwt = token.stdout.trim();
    expect(jwt.split('.')).toHaveLength(3);
    const bundle = readFileSync(join(cwd, '.inmesh/control/ca.pem'), 'utf8');
    const cert = await callDaemon(url, bundle, 'POST', '/v1/identity/certificates', { token: jwt, body: { service: 'orders', csr: csrFor('spiffe://shop.local/svc/orders').csr, ttlSeconds: 600 } });
    expect(cert.status).toBe(200);
    expect(new X509Certificate(cert.json.certificate).subjectAltName).toBe('URI:spiffe://shop.local/svc/orders');

    writeFileSync(join(cwd, 'next.yaml'), MESH_YAML.replace('8081', '8082'));
    const applied = await run(['apply', '-f', 'next.yaml'], cwd);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.trim()).toBe('applied next.yaml: version 2');

    writeFileSync(join(cwd, 'bad.yaml'), 'trustDomain: shop.local\nservices:\n  orders:\n    timeout: soon\n');
    const refused = await run(['apply', '-f', 'bad.yaml'], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^bad\.yaml:4:\d+ services\.orders\.timeout: /m);
    expect((await callDaemon(url, bundle, 'GET', '/v1/config')).json.version).toBe(2);

    // A lease timer and a parked blocking query must not hold the process open once it closes.
    const adminToken = readFileSync(join(cwd, '.inmesh/control/admin.token'), 'utf8').trim();
    expect((await callDaemon(url, bundle, 'PUT', '/v1/registry/services/orders/instances/127.0.0.1%3A8081', { token: adminToken, body: { leaseSeconds: 300 } })).status).toBe(200);
    const parked = callDaemon(url, bundle, 'GET', '/v1/config?version=2&wait=5m');
    await new Promise((r) => setTimeout(r, 100));
    process.kill(child.pid!, 'SIGTERM');
    expect((await parked).json.version).toBe(2);
    const started = Date.now();
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(child.out.stdout).toContain('inmesh control: stopped');
  });

  it('bad flags exit 2 with the usage; an unreachable daemon exits 1 with the reason', async () => {
    const lines: string[] = [];
    const out = { log: (s: string) => lines.push(s), error: (s: string) => lines.push(s) };
    expect(await main(['control'], out)).toBe(2);
    expect(lines.join('\n')).toMatch(/--config mesh.yaml is required[\s\S]*usage: inmesh control/);
    expect(await main(['control', '--config', 'x.yaml', '--bogus'], out)).toBe(2);
    expect(await main(['control', '--config', 'x.yaml', '--listen', '127.0.0.1'], out)).toBe(2);
    expect(await main(['control', '--config', 'x.yaml', '--store', 'redis:x'], out)).toBe(2);
    lines.length = 0;
    expect(await main(['control', '--config', 'missing.yaml', '--store', 'memory', '--listen', '127.0.0.1:0'], out)).toBe(1);
    expect(lines.join('\n')).toMatch(/cannot read the mesh configuration missing\.yaml/);
    expect(await main(['token', 'create', '--service', 'orders'], out)).toBe(2);
    expect(await main(['token', 'create', '--service', 'orders', '--ttl', '10s'], out)).toBe(2);
    expect(await main(['token', 'make'], out)).toBe(2);
    expect(await main(['apply'], out)).toBe(2);
    expect(await main(['apply', '-f', 'a.yaml', 'extra'], out)).toBe(2);
    const dir = tempDir();
    writeFileSync(join(dir, 'admin.token'), 'inmesh-admin-x\n');
    writeFileSync(join(dir, 'ca.pem'), '');
    writeFileSync(join(dir, 'mesh.yaml'), MESH_YAML);
    lines.length = 0;
    expect(await main(['apply', '-f', join(dir, 'mesh.yaml'), '--control', 'https://127.0.0.1:1', '--admin-token-file', join(dir, 'admin.token'), '--ca-file', join(dir, 'ca.pem')], out)).toBe(1);
    expect(lines.join('\n')).toMatch(/cannot reach the control daemon at https:\/\/127.0.0.1:1/);
    lines.length = 0;
    expect(await main(['token', 'create', '--service', 'orders', '--ttl', '1h', '--admin-token-file', join(dir, 'missing')], out)).toBe(1);
    expect(lines.join('\n')).toMatch(/cannot read the admin token file .*missing \(--admin-token-file\)/);
  });
});
