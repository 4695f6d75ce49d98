import { fork } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlDaemon } from '../../helpers/control-stand-in.js';
import { workloadDir } from '../../helpers/control-workload.js';

let daemon: ControlDaemon | undefined;
afterEach(async () => daemon?.stop());

describe('mesh.close() with control watches in flight', () => {
  it('returns promptly and leaves nothing that keeps the process alive', async () => {
    const d = (daemon = new ControlDaemon({ yaml: 'mesh: shop\n' }));
    await d.start();
    const dirs = workloadDir(d);
    const child = fork(new URL('./fixtures/close-in-flight-child.ts', import.meta.url), [d.url, dirs.caFile, dirs.cacheDir], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout!.on('data', (chunk) => (out += String(chunk)));
    const started = Date.now();
    // Blocking queries wait 30 s: a handle left behind would keep the child past this.
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(12_000);
    const { closeMs } = JSON.parse(out.trim()) as { closeMs: number };
    expect(closeMs).toBeLessThan(3000);
    // The instance was withdrawn on the way out.
    expect(d.writes.at(-1)?.method).toBe('DELETE');
  });
});
