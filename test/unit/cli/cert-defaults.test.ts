import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { certDefaults } from '../../../src/cli/cert-defaults.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function meshYaml(text: string): string {
  const d = mkdtempSync(join(tmpdir(), 'inmesh-cert-defaults-'));
  dirs.push(d);
  writeFileSync(join(d, 'mesh.yaml'), text);
  return join(d, 'mesh.yaml');
}

describe('certDefaults', () => {
  it('takes the trust domain and dev CA directory of a mesh.yaml', () => {
    expect(certDefaults(meshYaml('trustDomain: shop.local\nidentity: { mode: dev, dir: .certs }\n'))).toEqual({ trustDomain: 'shop.local', dir: '.certs' });
  });

  it('falls back to cluster.local and .inmesh without a mesh.yaml, or with one that does not load', () => {
    expect(certDefaults(join(tmpdir(), 'no-such-dir', 'mesh.yaml'))).toEqual({ trustDomain: 'cluster.local', dir: '.inmesh' });
    expect(certDefaults(meshYaml('trustDomain: [not, a, domain]\n'))).toEqual({ trustDomain: 'cluster.local', dir: '.inmesh' });
  });
});
