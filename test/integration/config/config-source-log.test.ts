import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

const meshes: Mesh[] = [];
const cwd = process.cwd();
const dirs: string[] = [];
afterEach(async () => {
  process.chdir(cwd);
  for (const m of meshes.splice(0)) await m.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'inmesh-source-'));
  dirs.push(d);
  return d;
}

describe('which configuration a mesh runs on', () => {
  it('warns when there is no mesh.yaml in the working directory', async () => {
    process.chdir(tempDir());
    const log = new RecordingLogger();
    meshes.push(await createMesh({ service: 'checkout', logger: log, shutdown: false }));
    expect(log.at('warn').map((e) => e.msg)).toEqual([expect.stringMatching(/^no mesh.yaml in the working directory/)]);
    expect(log.at('warn')[0]!.fields).toEqual({ dir: process.cwd() });
  });

  it('says which file was loaded, at info', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'mesh.yaml'), 'services:\n  orders:\n    endpoints: ["127.0.0.1:8081"]\n');
    process.chdir(dir);
    const log = new RecordingLogger();
    meshes.push(await createMesh({ service: 'checkout', logger: log, shutdown: false, watch: false }));
    expect(log.at('warn')).toEqual([]);
    expect(log.at('info').find((e) => e.msg === 'mesh configuration loaded')?.fields).toEqual({ source: join(process.cwd(), 'mesh.yaml'), services: 1 });
  });
});
