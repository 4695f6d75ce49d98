import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { request } from 'undici';

/** A scrape of an exposition endpoint, as Prometheus makes it (or with another Accept). */
export async function scrape(url: string, accept?: string): Promise<{ status: number; contentType: string; body: string }> {
  const res = await request(url, { headers: accept ? { accept } : {} });
  return { status: res.statusCode, contentType: String(res.headers['content-type']), body: await res.body.text() };
}

/** The sample lines of an exposition, without their values: one entry per series. */
export function seriesOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const end = l.lastIndexOf('}');
      return end >= 0 ? l.slice(0, end + 1) : l.split(' ')[0]!;
    });
}

/** The value of the one sample whose line starts with `series` (name and labels as printed), or undefined. */
export function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1).split(' ')[0]);
}

/**
 * The path of a system tool (`prometheus`, `promtool`), from PATH or /usr/bin; throws naming the
 * script that installs it, so a missing package reads as a setup step rather than a failure.
 */
export function systemTool(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} not found on PATH or in /usr/bin: run scripts/install-system-deps.sh (as root) to install Debian's prometheus package`);
}

/** Runs `promtool check metrics` on an exposition; its exit code and what it printed. */
export function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(systemTool('promtool'), ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
