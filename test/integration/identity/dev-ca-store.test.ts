import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_CA_TTL_MS, generateKeyPair, loadOrCreateDevCa, spiffeIdsOf } from '../../../src/identity/index.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.pid) process.kill(c.pid);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function emptyDir(): string {
  const base = mkdtempSync(join(tmpdir(), 'inmesh-devca-'));
  dirs.push(base);
  return join(base, '.inmesh');
}

const now = new Date('2026-05-01T00:00:00Z');

describe('loadOrCreateDevCa', () => {
  it('creates the directory 0700, ca.key 0600 and ca.crt on first use, and loads the same CA after', async () => {
    const dir = emptyDir();
    const ca = await loadOrCreateDevCa(dir, 'shop.local', { now });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['ca.crt', 'ca.key']); // no temp files left
    expect(spiffeIdsOf(ca.certificate)).toEqual(['spiffe://shop.local']);
    expect(ca.notAfter.getTime() - now.getTime()).toBe(DEV_CA_TTL_MS);
    const again = await loadOrCreateDevCa(dir, 'shop.local', { now });
    expect(again.certificate.fingerprint256).toBe(ca.certificate.fingerprint256);
    const leaf = new X509Certificate(again.issue({ publicKey: generateKeyPair().publicKey, spiffeId: 'spiffe://shop.local/svc/a', ttl: 60_000, now }));
    expect(leaf.verify(ca.certificate.publicKey)).toBe(true);
  });

  it('refuses a key readable by group or others, naming the file, its mode and the chmod fix', async () => {
    const dir = emptyDir();
    await loadOrCreateDevCa(dir, 'shop.local', { now });
    const key = join(dir, 'ca.key');
    chmodSync(key, 0o644);
    await expect(loadOrCreateDevCa(dir, 'shop.local', { now })).rejects.toMatchObject({
      code: 'MESH_ERR_IDENTITY',
      message: expect.stringContaining(`${key} has mode 0644`),
    });
    await expect(loadOrCreateDevCa(dir, 'shop.local', { now })).rejects.toThrow(`chmod 600 ${key}`);
    chmodSync(key, 0o640);
    await expect(loadOrCreateDevCa(dir, 'shop.local', { now })).rejects.toThrow('has mode 0640');
    chmodSync(key, 0o600);
    await expect(loadOrCreateDevCa(dir, 'shop.local', { now })).resolves.toBeDefined();
  });

  it('refuses the CA of another trust domain in the directory', async () => {
    const dir = emptyDir();
    await loadOrCreateDevCa(dir, 'shop.local', { now });
    await expect(loadOrCreateDevCa(dir, 'bank.local', { now })).rejects.toThrow(/ca\.crt: the CA certificate is for trust domain "shop.local", not "bank.local"/);
  });

  it('names a corrupt certificate or key file', async () => {
    const dir = emptyDir();
    await loadOrCreateDevCa(dir, 'shop.local', { now });
    writeFileSync(join(dir, 'ca.key'), 'garbage', { mode: 0o600 });
    await expect(loadOrCreateDevCa(dir, 'shop.local', { now })).rejects.toThrow(`${join(dir, 'ca.key')} is not a readable PEM private key`);
    writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    await expect(loadOrCreateDevCa(dir, 'shop.local', { now })).rejects.toThrow(`${join(dir, 'ca.crt')} is not a readable PEM certificate`);
  });

  it('names a certificate left without its key, and a key left without its certificate', async () => {
    const dir = emptyDir();
    await loadOrCreateDevCa(dir, 'shop.local', { now });
    unlinkSync(join(dir, 'ca.crt'));
    await expect(loadOrCreateDevCa(dir, 'shop.local', { now, waitMs: 50 })).rejects.toThrow(/ca\.key exists but .*ca\.crt did not appear within 50 ms/);
    const other = emptyDir();
    await loadOrCreateDevCa(other, 'shop.local', { now });
    unlinkSync(join(other, 'ca.key'));
    await expect(loadOrCreateDevCa(other, 'shop.local', { now })).rejects.toThrow(/ca\.crt exists but .*ca\.key is missing/);
  });

  it('refuses an expired dev CA', async () => {
    const dir = emptyDir();
    await loadOrCreateDevCa(dir, 'shop.local', { now, ttl: 1000 });
    await expect(loadOrCreateDevCa(dir, 'shop.local', { now: new Date(now.getTime() + 2000) })).rejects.toThrow(/expired at/);
  });

  it('gives 6 processes starting at once on an empty directory one and the same CA', async () => {
    const dir = emptyDir();
    const script = fileURLToPath(new URL('./fixtures/load-dev-ca.ts', import.meta.url));
    const outputs = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, dir, 'shop.local'], { stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(child);
      let out = '';
      const ready = new Promise<void>((resolve) => child.stdout!.on('data', (d) => (out += d) && out.includes('ready\n') && resolve()));
      const done = new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
      return { child, ready, done };
    });
    await Promise.all(outputs.map((o) => o.ready));
    expect(existsSync(dir)).toBe(false);
    for (const o of outputs) o.child.stdin!.write('go\n');
    const results = await Promise.all(outputs.map((o) => o.done));
    const fingerprints = results.map((r) => /fingerprint (\S+)/.exec(r)?.[1] ?? r);
    expect(new Set(fingerprints).size).toBe(1);
    const onDisk = new X509Certificate(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'ca.crt')))).fingerprint256;
    expect(fingerprints[0]).toBe(onDisk);
    expect(readdirSync(dir).sort()).toEqual(['ca.crt', 'ca.key']);
  }, 60_000);
});
