import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = new URL('../../bench/sidecar.js', import.meta.url).pathname;
const CASES = ['undici → node:http', 'undici → mesh.serve', 'mesh.request → node:http', 'mesh.request → mesh.serve'];
// The mtls group's own cases, and the plaintext pair it is compared with in the same run.
const MTLS_IDS = ['tlsDirect', 'tlsUndiciMesh', 'tlsMeshMesh', 'direct', 'meshMesh'];
const MTLS_CASES = ['undici → node:https', 'undici → mesh.serve', 'mesh.request → mesh.serve'];

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // SIGINT: the benchmark stops its children before it exits.
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 40_000, killSignal: 'SIGINT' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('bench/sidecar.js --quick --only client', () => {
  it('prints every pinned row with positive figures and leaves no process behind', { timeout: 45_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inmesh-bench-smoke-'));
    try {
      const json = join(dir, 'out.json');
      const { code, stdout, stderr } = await run(['--quick', '--only', 'client', '--json', json]);
      expect(stderr).not.toMatch(/benchmark failed/);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^machine: .+ cores?.+node v\d+.+kernel .+load average at start/m);
      for (const label of CASES) {
        for (const c of [1, 16, 64]) expect(stdout).toMatch(new RegExp(`^${label}\\*?\\s+${c}\\s+\\d+`, 'm'));
      }
      expect(stdout).toMatch(/^targets \(issue 8\)$/m);
      expect(stdout).toMatch(/^disturbed: \d+ of 12 rows/m);

      const out = JSON.parse(readFileSync(json, 'utf8'));
      for (const id of ['direct', 'undiciMesh', 'meshNode', 'meshMesh']) {
        for (const c of [1, 16, 64]) {
          const s = out.pair[id][c];
          expect(s.reps).toBe(1);
          expect(s.n).toBeGreaterThan(0);
          expect(s.rps).toBeGreaterThan(0);
          expect(s.p50).toBeGreaterThan(0);
          expect(s.p99).toBeGreaterThanOrEqual(s.p50);
          expect(s.clientUs).toBeGreaterThan(0);
          // Server CPU comes in clock ticks (10 ms), so a short window may see none.
          expect(s.serverUs).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(s.totalUs)).toBe(true);
        }
      }
      expect(out.targets.length).toBeGreaterThan(5);
      expect(out.pids.length).toBeGreaterThanOrEqual(6);
      for (const pid of out.pids) expect(alive(pid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench/sidecar.js --quick --only mtls', () => {
  it('measures the mTLS pairs beside the plaintext one, judges their targets, and removes its certificates and processes', { timeout: 45_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inmesh-bench-smoke-'));
    try {
      const json = join(dir, 'out.json');
      const { code, stdout, stderr } = await run(['--quick', '--only', 'mtls', '--json', json]);
      expect(stderr).not.toMatch(/benchmark failed/);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^mtls: certificates for spiffe:\/\/shop\.local\/svc\/orders and spiffe:\/\/shop\.local\/svc\/checkout made by openssl in /m);
      const mtlsTable = stdout.slice(stdout.indexOf('client → server over mTLS'));
      for (const label of MTLS_CASES) {
        for (const c of [1, 16, 64]) expect(mtlsTable).toMatch(new RegExp(`^${label}\\*?\\s+${c}\\s+\\d+`, 'm'));
      }
      expect(stdout).toMatch(/^mTLS, same run: /m);
      expect(stdout).toMatch(/^disturbed: \d+ of 15 rows/m);

      const out = JSON.parse(readFileSync(json, 'utf8'));
      for (const id of MTLS_IDS) {
        for (const c of [1, 16, 64]) {
          const s = out.pair[id][c];
          expect(s.n).toBeGreaterThan(0);
          expect(s.rps).toBeGreaterThan(0);
          expect(s.p99).toBeGreaterThanOrEqual(s.p50);
          expect(s.clientUs).toBeGreaterThan(0);
        }
      }
      const mtlsTargets = out.targets.filter((t: { what: string }) => t.what.startsWith('mTLS: '));
      expect(mtlsTargets.length).toBe(4);
      // Measured, so judged one way or the other (the figures of a quick run mean nothing).
      for (const t of mtlsTargets) expect(typeof t.met).toBe('boolean');
      expect(existsSync(out.pkiDir)).toBe(false);
      expect(out.pids.length).toBeGreaterThanOrEqual(9);
      for (const pid of out.pids) expect(alive(pid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
