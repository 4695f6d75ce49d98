import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { log: (s) => out.push(s), error: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('inmesh (the command)', () => {
  it.each([['--version'], ['-v'], ['version']])('%s prints the package version', async (flag) => {
    expect(await run(flag)).toEqual({ code: 0, out: pkg.version, err: '' });
  });

  it.each([['--help'], ['-h']])('demo %s prints the demo help, every flag in it, and runs nothing', async (flag) => {
    const r = await run('demo', flag);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const f of ['--requests', '--concurrency', '--seconds']) expect(r.out).toContain(f);
    expect(r.out).not.toMatch(/SERVICE \/ ENDPOINT|calls in \d/);
  });

  it('lists --seconds in the top-level help too', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--seconds');
    expect(r.out).toContain('--version');
  });

  it.each([
    [['--requests', 'abc'], /--requests expects a whole number ≥ 1, got 'abc'/],
    [['--requests', '0'], /--requests expects a whole number ≥ 1, got '0'/],
    [['--concurrency', '2.5'], /--concurrency expects a whole number ≥ 1, got '2.5'/],
    [['--seconds', '-1'], /--seconds expects a number of seconds > 0, got '-1'/],
    [['--seconds', 'Infinity'], /--seconds expects a number of seconds > 0, got 'Infinity'/],
    [['--requests'], /--requests needs a value/],
    [['--requests', '--seconds', '5'], /--requests needs a value/],
    [['--request', '5'], /unknown option '--request'/],
    [['extra'], /unexpected argument 'extra'/],
  ])('demo %j is refused with a clear message and exit code 2, before anything starts', async (args, message) => {
    const r = await run('demo', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: inmesh demo');
    expect(r.out).toBe('');
  });

  it('an unknown command exits 2 with the usage', async () => {
    const r = await run('nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command 'nope'/);
  });
});
