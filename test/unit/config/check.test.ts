import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/cli/check.js';
import { yaml } from './config-test-helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inmesh-check-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  const out = { logs: [] as string[], errors: [] as string[] };
  return { out, io: { log: (s: string) => void out.logs.push(s), error: (s: string) => void out.errors.push(s) } };
}

const GOOD = yaml(
  'mesh: shop',
  'services:',
  '  orders:',
  '    endpoints: ["127.0.0.1:8081", { address: "127.0.0.1:8082", labels: { version: v2 } }]',
  '    timeout: 2s',
  '    retries: { attempts: 3, on: [connect-failure, 503] }',
  '    routes:',
  '      - match: { headers: { x-canary: "1" } }',
  '        backends: [{ subset: v2 }]',
  'authorization:',
  '  orders:',
  '    - { from: ["spiffe://cluster.local/svc/checkout"], methods: [GET] }',
  'admin: { port: 9464 }',
  'outbound: deny',
);

describe('inmesh check', () => {
  it('prints a summary and returns 0 for a valid file', async () => {
    const file = join(dir, 'mesh.yaml');
    writeFileSync(file, GOOD);
    const { out, io } = capture();
    expect(await runCheck([file], io)).toBe(0);
    expect(out.errors).toEqual([]);
    const summary = out.logs.join('\n');
    expect(summary).toContain(`mesh shop (trust domain cluster.local), version 1 from ${file}`);
    expect(summary).toContain('outbound: deny   admin: 127.0.0.1:9464');
    expect(summary).toContain('  orders: 127.0.0.1:8081, 127.0.0.1:8082 {version=v2}');
    expect(summary).toContain('    tls mesh, lb p2c-ewma, timeout 2s, per try -, 64 connections per endpoint');
    expect(summary).toContain('    retries: 3 attempts on connect-failure, 503, budget 20% + 10/s, backoff 25ms..250ms');
    expect(summary).toContain('    route route-0: x-canary = 1 → v2');
    expect(summary).toContain('  orders: allow spiffe://cluster.local/svc/checkout GET any path');
    expect(summary).toContain('identity: dev (.inmesh, certificates for 24h); serves mTLS and plaintext (permissive)');
  });

  it('prints every problem as file:line:col key.path: message and returns 1', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, yaml('services:', '  orders:', '    endpoints: ["127.0.0.1"]', '    tiemout: 2s', 'outbound: block'));
    const { out, io } = capture();
    expect(await runCheck([file], io)).toBe(1);
    expect(out.logs).toEqual([]);
    expect(out.errors).toEqual([
      `${file}:3:17 services.orders.endpoints[0]: expected 'host:port', got '127.0.0.1'`,
      `${file}:4:5 services.orders.tiemout: unknown key 'tiemout' (did you mean 'timeout'?)`,
      `${file}:5:11 outbound: expected one of passthrough, deny, got 'block'`,
    ]);
  });

  it('reads ./mesh.yaml by default and reports a missing file as a problem', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const missing = capture();
      expect(await runCheck([], missing.io)).toBe(1);
      expect(missing.out.errors).toHaveLength(1);
      expect(missing.out.errors[0]).toMatch(/^mesh\.yaml \(root\): cannot read the file: ENOENT/);

      writeFileSync(join(dir, 'mesh.yaml'), GOOD);
      const found = capture();
      expect(await runCheck([], found.io)).toBe(0);
      expect(found.out.logs.join('\n')).toContain('version 1 from mesh.yaml');
    } finally {
      process.chdir(cwd);
    }
  });

  it('returns 2 for a usage error', async () => {
    const { out, io } = capture();
    expect(await runCheck(['--strict'], io)).toBe(2);
    expect(out.errors).toEqual(["inmesh check: unknown option '--strict'\nusage: inmesh check [mesh.yaml]"]);
    expect(await runCheck(['a.yaml', 'b.yaml'], io)).toBe(2);
  });
});
