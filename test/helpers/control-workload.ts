import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlDaemon } from './control-stand-in.js';

/** A scratch directory with the daemon's CA in it, for `control.caFile` and `control.cacheDir`. */
export function workloadDir(daemon: ControlDaemon): { dir: string; caFile: string; cacheDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'inmesh-control-'));
  const caFile = join(dir, 'control-ca.pem');
  writeFileSync(caFile, daemon.ca.bundlePem);
  return { dir, caFile, cacheDir: join(dir, 'cache') };
}

/** The `control:` block of a workload's mesh.yaml that talks to `daemon`. */
export function controlBlock(daemon: ControlDaemon, dirs: { caFile: string; cacheDir: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { url: daemon.url, caFile: dirs.caFile, cacheDir: dirs.cacheDir, ...extra };
}
