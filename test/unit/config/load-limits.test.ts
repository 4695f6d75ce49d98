import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigValidationError, type ConfigIssue } from '../../../src/core/index.js';
import { ConfigStore } from '../../../src/config/config-store.js';
import { MAX_CONFIG_BYTES } from '../../../src/config/load-limits.js';
import { loadMeshConfigFile, parseMeshConfig } from '../../../src/config/load.js';
import { issuesOf, yaml } from './config-test-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    return e as ConfigValidationError;
  }
  throw new Error('expected a ConfigValidationError');
}

const aliasBomb = yaml(
  'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'services: { orders: { endpoints: *e } }',
);

describe('hostile mesh.yaml', () => {
  it('an alias bomb is a ConfigValidationError with file, line and key', () => {
    const e = errorOf(() => parseMeshConfig(aliasBomb, { file: 'mesh.yaml', env: {} }));
    expect(e.code).toBe('MESH_ERR_CONFIG_INVALID');
    expect(e.issues.length).toBeGreaterThan(0);
    const issue = e.issues.find((i) => /alias/.test(i.message))!;
    expect(issue).toMatchObject({ file: 'mesh.yaml' });
    expect(issue.line).toBeGreaterThan(0);
    expect(issue.path).not.toBe('');
  });

  it('an alias bomb offered as a reload is rejected and the last good config stays', () => {
    const store = new ConfigStore(parseMeshConfig(yaml('services:', '  orders:', '    endpoints: ["127.0.0.1:8081"]'), { env: {} }));
    const r = store.tryApply(() => parseMeshConfig(aliasBomb, { file: 'mesh.yaml', env: {} }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues[0]!.line).toBeGreaterThan(0);
    expect(Object.keys(store.current().config.services)).toEqual(['orders']);
  });

  it('a file over the size limit is refused before it is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inmesh-limits-'));
    dirs.push(dir);
    const file = join(dir, 'mesh.yaml');
    writeFileSync(file, `mesh: shop\n# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    const e = errorOf(() => loadMeshConfigFile(file, { env: {} }));
    expect(e.issues).toEqual([{ file, path: '', message: expect.stringMatching(/^the file is \d+ bytes, over the limit of 8 MiB/) }]);
    expect(e.message.length).toBeLessThan(500);
  });

  it('text over the size limit is refused too', () => {
    const e = errorOf(() => parseMeshConfig(`mesh: "${'x'.repeat(MAX_CONFIG_BYTES)}"\n`, { file: 'mesh.yaml', env: {} }));
    expect(e.issues[0]!.message).toMatch(/over the limit of 8 MiB/);
  });

  it('a long value is cut in the message, not echoed whole', () => {
    // YAML caps implicit keys at 1024 characters; values have no such cap.
    const key = 'K'.repeat(1_000);
    const value = 'V'.repeat(1_000_000);
    const e = errorOf(() => parseMeshConfig(yaml('services:', `  ${key}:`, '    endpoints: ["127.0.0.1:8081"]', `mesh: "${value}"`), { file: 'mesh.yaml', env: {} }));
    expect(e.issues.map((i) => i.line)).toEqual([2, 4]);
    for (const i of e.issues) expect(i.message.length + i.path.length).toBeLessThan(600);
    expect(e.issues[0]!.path).toMatch(/1000 characters/);
    expect(e.issues[1]!.message).toMatch(/100000\d characters/);
    expect(e.message.length).toBeLessThan(1_500);
  });

  it('loads 20,000 services in linear time', () => {
    let text = 'services:\n';
    for (let i = 0; i < 20_000; i++) text += `  svc-${i}:\n    endpoints: ["127.0.0.1:${1_000 + i}"]\n    timeout: 2s\n`;
    const started = performance.now();
    expect(Object.keys(parseMeshConfig(text, { env: {} }).config.services)).toHaveLength(20_000);
    // About 2 s on a loaded 2-core machine; a quadratic duplicate-key check takes several times that.
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('a map of 40,000 keys still finds a repeated key, with its position, in linear time', () => {
    let text = 'services:\n  orders:\n    endpoints: ["127.0.0.1:8081"]\n    subsets:\n      v1:\n';
    for (let i = 0; i < 40_000; i++) text += `        k${i}: x\n`;
    text += '        k7: y\n';
    const started = performance.now();
    const issues: ConfigIssue[] = issuesOf(text);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(issues).toEqual([{ file: 'mesh.yaml', line: 40_006, column: 9, path: 'services.orders.subsets.v1.k7', message: "duplicate key 'k7'" }]);
  }, 30_000);
});
