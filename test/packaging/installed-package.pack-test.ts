import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Packaging test: what a user gets from `npm install inmesh` in an empty project, nothing else installed.
const repo = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
const work = mkdtempSync(join(tmpdir(), 'inmesh-pack-'));
const app = join(work, 'fresh-app');
const installed = join(app, 'node_modules', 'inmesh');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], repo);
  expect(packed.code, packed.stderr).toBe(0);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', version: '1.0.0', private: true, type: 'module' }));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', join(work, filename)], app, 180_000);
  expect(install.code, install.stderr).toBe(0);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the installed package (packaging test)', () => {
  it('has no framework beside it: the demo must not need one', () => {
    expect(existsSync(installed)).toBe(true);
    expect(existsSync(join(app, 'node_modules', 'express'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'fastify'))).toBe(false);
  });

  it('npx inmesh demo runs with its control daemon, serving the examples as node:http listeners, and stops', async () => {
    const r = await run('npx', ['--no', '--', 'inmesh', 'demo', '--requests', '300', '--concurrency', '8'], app);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/served by mesh\.serve: orders as node:http .*inventory as node:http/);
    expect(r.stdout).toMatch(/SERVICE \/ ROUTE \/ ENDPOINT\s+REQUESTS/);
    // No OpenTelemetry SDK in a new project: the demo says how to see traces.
    expect(r.stdout).toMatch(/tracing {3}install @opentelemetry\/api and @opentelemetry\/sdk-trace-node/);
    expect(r.stdout).toMatch(/callers saw 100\.00% success over 150 calls/);
    // The control daemon ran from the installed package (bin/inmesh.js control): its registry and a live split.
    expect(r.stdout).toMatch(/the registry \(orders 3, inventory 2 instances, registered by mesh\.serve\)/);
    expect(r.stdout).toMatch(/^orders split: v2 got 0\.00% of \d+ attempts before the change and [\d.]+% of \d+ attempts after it/m);
    expect(r.stdout).toMatch(/stopped: checkout closed/);
  });

  it('npx inmesh --version and a bad flag', async () => {
    expect((await run('npx', ['--no', '--', 'inmesh', '--version'], app)).stdout.trim()).toBe(pkg.version);
    const bad = await run('npx', ['--no', '--', 'inmesh', 'demo', '--requests', 'abc'], app);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--requests expects a whole number/);
  });

  it('ships the Apache-2.0 LICENSE and source maps that carry their sources', () => {
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    const maps = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const f of maps) {
      const map = JSON.parse(readFileSync(join(installed, 'dist', f), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, f).toBe(map.sources.length);
      expect(map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0), f).toBe(true);
    }
  });

  it('imports as ESM and becomes the global dispatcher of a script that has no undici of its own', async () => {
    const script = [
      "import { createMesh } from 'inmesh';",
      "const mesh = await createMesh({ service: 'fresh', global: true, config: { services: { orders: { endpoints: ['127.0.0.1:9'], tls: 'none' } } } });",
      "const err = await fetch('http://orders/').then(() => undefined, (e) => e);",
      'await mesh.close();',
      "console.log(err?.cause?.code ?? 'no error');",
    ].join('\n');
    const r = await run(process.execPath, ['--input-type=module', '-e', script], app);
    expect(r.code, r.stderr).toBe(0);
    // The built-in fetch went through the mesh: a mesh error, not a DNS failure for the host `orders`.
    expect(r.stdout.trim()).toMatch(/^MESH_ERR_/);
  });
});
