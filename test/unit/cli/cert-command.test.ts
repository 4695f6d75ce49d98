import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { parseOptionFlags, UsageError } from '../../../src/cli/flags.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { log: (s) => out.push(s), error: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('parseOptionFlags', () => {
  const flags = [
    { name: '--out', kind: 'value' as const },
    { name: '--dns', kind: 'repeatable' as const },
    { name: '--force', kind: 'switch' as const },
  ];

  it('reads values, repeated values in order, switches, and keeps positionals', () => {
    const p = parseOptionFlags(['a', '--out', 'x', '--dns=one', '--dns', 'two', '--force', 'b'], flags);
    expect(p.positionals).toEqual(['a', 'b']);
    expect(p.options.get('--out')).toEqual(['x']);
    expect(p.options.get('--dns')).toEqual(['one', 'two']);
    expect(p.options.has('--force')).toBe(true);
  });

  it.each([
    [['--nope'], /unknown option '--nope'/],
    [['--out'], /--out needs a value/],
    [['--out', '--force'], /--out needs a value/],
    [['--out', 'a', '--out', 'b'], /--out given more than once/],
    [['--force=yes'], /--force takes no value/],
  ])('%j is a usage error', (args, message) => {
    expect(() => parseOptionFlags(args, flags)).toThrow(UsageError);
    expect(() => parseOptionFlags(args, flags)).toThrow(message);
  });
});

describe('inmesh cert (usage)', () => {
  it('--help prints every subcommand and flag, exit 0', async () => {
    const r = await run('cert', '--help');
    expect(r.code).toBe(0);
    for (const word of ['inspect FILE', 'issue --service NAME', 'check URL', '--expect', '--ttl', '--dns', '--ip', '--force', '--timeout', '--ca']) expect(r.out).toContain(word);
  });

  it('the top-level help lists cert', async () => {
    expect((await run('--help')).out).toContain('cert inspect|issue|check');
  });

  it.each([
    [[], /usage: inmesh cert/],
    [['sign'], /unknown subcommand 'sign'/],
    [['inspect'], /missing FILE/],
    [['inspect', 'a.pem', 'b.pem'], /unexpected argument 'b.pem'/],
    [['issue'], /--service NAME is required/],
    [['issue', '--service', 'orders', '--ttl', 'soon'], /--ttl expects a duration > 0 .*got 'soon'/],
    [['issue', '--service', 'orders', '--ttl', '0s'], /--ttl expects a duration > 0/],
    [['issue', '--service', 'orders', '--ip', 'localhost'], /--ip expects an IPv4 or IPv6 address, got 'localhost'/],
    [['issue', '--service', 'orders', '--serivce', 'x'], /unknown option '--serivce'/],
    [['check'], /missing URL/],
    [['check', 'http://127.0.0.1:1'], /only https:\/\//],
    [['check', '127.0.0.1:1', '--timeout', 'never'], /--timeout expects a duration/],
  ])('cert %j exits 2 with the message and the usage', async (args, message) => {
    const r = await run('cert', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: inmesh cert');
    expect(r.out).toBe('');
  });
});
