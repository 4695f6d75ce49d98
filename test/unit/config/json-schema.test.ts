import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { meshJsonSchema } from '../../../src/config/json-schema.js';
import { validateJsonSchema } from './mini-json-schema.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const example = parse(readFileSync(join(root, 'test/fixtures/config/design-example.yaml'), 'utf8')) as Record<string, any>;
const schema = meshJsonSchema();

describe('meshJsonSchema', () => {
  it('describes mesh.yaml as a strict object with a title', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'inmesh mesh.yaml',
      type: 'object',
      additionalProperties: false,
    });
    expect(typeof schema.description).toBe('string');
    expect(Object.keys(schema.properties as object).sort()).toEqual(
      ['admin', 'authentication', 'authorization', 'control', 'identity', 'inbound', 'mesh', 'outbound', 'services', 'telemetry', 'trustDomain'].sort(),
    );
  });

  it("accepts DESIGN.md's example", () => {
    expect(validateJsonSchema(schema, example)).toEqual([]);
  });

  it('rejects an unknown key, a bad enum value and a bad duration', () => {
    const typo = structuredClone(example);
    typo.services.orders.loadBalncer = 'p2c-ewma';
    expect(validateJsonSchema(schema, typo)).toEqual(['/services/orders/loadBalncer: additional property not allowed']);

    const badTls = structuredClone(example);
    badTls.services.orders.tls = 'mtls';
    expect(validateJsonSchema(schema, badTls)).toEqual(['/services/orders/tls: not in enum']);

    const badDuration = structuredClone(example);
    badDuration.services.orders.timeout = '2 seconds';
    expect(validateJsonSchema(schema, badDuration)).toHaveLength(1);
    expect(validateJsonSchema(schema, badDuration)[0]).toMatch(/^\/services\/orders\/timeout: anyOf matched 0 of 2/);
  });

  it('rejects a service name that is not a DNS name', () => {
    const bad = structuredClone(example);
    bad.services.Orders = bad.services.orders;
    expect(validateJsonSchema(schema, bad)).toEqual([expect.stringMatching(/^\/services\/Orders\(name\): does not match/)]);
  });
});

describe('scripts/write-schema.ts', () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/write-schema.ts'), ...args], { cwd: root }).then(
      () => 0,
      (e: { code?: number }) => e.code ?? -1,
    );

  it('matches the committed schema/mesh.schema.json', () => {
    expect(readFileSync(join(root, 'schema/mesh.schema.json'), 'utf8')).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it('writes the schema, and --check exits 1 only when the file is stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inmesh-schema-'));
    const file = join(dir, 'mesh.schema.json');
    try {
      writeFileSync(file, '{}\n');
      expect(await run('--check', file)).toBe(1);
      expect(await run(file)).toBe(0);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(schema);
      expect(await run('--check', file)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
