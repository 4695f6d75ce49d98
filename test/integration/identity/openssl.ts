import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real openssl CLI over files in a scratch directory, removed by `cleanup()`. */
export function opensslWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'inmesh-openssl-'));
  return {
    dir,
    file(name: string, text: string): string {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    /** stdout+stderr and the exit status; never throws on a non-zero exit. */
    run(...args: string[]): { status: number; output: string } {
      const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
      return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
