import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parsePidStat, parseSystemStat } from '../../bench/pinned/proc-stat.js';
import { othersUsage, disturbedRows } from '../../bench/pinned/disturbance.js';
import { median, summarise, ratio, rotate } from '../../bench/pinned/summary.js';
import { parseWrkOutput } from '../../bench/pinned/wrk-output.js';
import { parseOptions } from '../../bench/pinned/options.js';
import { nginxConfig } from '../../bench/pinned/nginx-config.js';
import { evaluateTargets } from '../../bench/pinned/targets.js';

// Fields 3.. of a /proc/<pid>/stat line: state, ppid, pgrp, session, tty, tpgid, flags, minflt,
// cminflt, majflt, cmajflt, then utime (14), stime (15), cutime (16), cstime (17), priority...
const tail = 'S 1 1 1 0 -1 4194304 98 0 0 0 123 45 6 7 20 0 1 0 261419 3133440 406';

describe('parsePidStat', () => {
  it('reads utime, stime, cutime and cstime after a plain name', () => {
    expect(parsePidStat(`4020 (node) ${tail}`)).toMatchObject({ pid: 4020, comm: 'node', state: 'S', utime: 123, stime: 45, cutime: 6, cstime: 7 });
  });

  it('finds the fields after a name with spaces and parentheses in it', () => {
    const s = parsePidStat(`77 (a (b) c) d) ${tail}\n`);
    expect(s).toMatchObject({ pid: 77, comm: 'a (b) c) d', utime: 123, stime: 45, cutime: 6, cstime: 7 });
  });

  it("reads this process's own line", () => {
    const s = parsePidStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(s.pid).toBe(process.pid);
    expect(s.utime + s.stime).toBeGreaterThan(0);
  });

  it('refuses a line that is not one', () => {
    expect(() => parsePidStat('garbage')).toThrow(/not a \/proc/);
    expect(() => parsePidStat('1 (x) S 1 2')).toThrow(/field 14 missing/);
  });
});

describe('parseSystemStat', () => {
  it('counts user + nice + system as busy and reports steal apart', () => {
    const s = parseSystemStat('cpu  8013 7 3678 509042 306 1 62 583 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n');
    expect(s).toEqual({ busy: 8013 + 7 + 3678, idle: 509042 + 306, irq: 63, steal: 583 });
  });
});

describe('othersUsage', () => {
  it('flags a window where others used more than a tenth of a core', () => {
    // 1 s at 100 ticks/s: the machine was busy 100 ticks, ours 80: others 20 ticks = 20% of a core.
    expect(othersUsage({ busyTicks: 100, measuredTicks: 80, elapsedMs: 1000, hz: 100 })).toEqual({ othersTicks: 20, shareOfCore: 0.2, disturbed: true });
  });

  it('passes a window where others used less', () => {
    const u = othersUsage({ busyTicks: 250, measuredTicks: 240, elapsedMs: 2000, hz: 100 });
    expect(u.shareOfCore).toBeCloseTo(0.05);
    expect(u.disturbed).toBe(false);
  });

  it('clamps the rounding of per-process ticks to no others at all', () => {
    expect(othersUsage({ busyTicks: 98, measuredTicks: 100, elapsedMs: 1000, hz: 100 })).toMatchObject({ othersTicks: 0, disturbed: false });
  });
});

describe('disturbedRows', () => {
  it('counts rows with a disturbed window and rows with nothing else', () => {
    const w = (kase: string, point: number, disturbed: boolean) => ({ group: 'pair', case: kase, point, disturbed });
    const windows = [w('direct', 1, false), w('direct', 1, true), w('direct', 16, true), w('direct', 16, true), w('mesh', 1, false)];
    expect(disturbedRows(windows)).toEqual({ rows: 3, disturbed: 2, onlyDisturbed: 1 });
  });
});

describe('summary', () => {
  it('takes the median of odd and even counts, ignoring missing figures', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, NaN])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('summarises every numeric field over the undisturbed repetitions', () => {
    const s = summarise([
      { rps: 100, p50: 9, disturbed: false },
      { rps: 300, p50: 7, disturbed: true },
      { rps: 200, p50: 8, disturbed: false },
    ]);
    expect(s).toEqual({ reps: 3, disturbed: 1, used: 2, usedDisturbed: false, rps: 150, p50: 8.5 });
  });

  it('keeps the cheapest undisturbed window of each CPU figure beside the median', () => {
    const s = summarise([
      { clientUs: 20, serverUs: 15, disturbed: false },
      { clientUs: 12, serverUs: 9, disturbed: true },
      { clientUs: 26, serverUs: 18, disturbed: false },
      { clientUs: 19, serverUs: Number.NaN, disturbed: false },
    ]);
    expect(s).toMatchObject({ clientUs: 20, clientUsMin: 19, serverUs: 16.5, serverUsMin: 15 });
    expect(s).not.toHaveProperty('totalUsMin');
  });

  it('falls back to every repetition, and says so, when all were disturbed', () => {
    const s = summarise([
      { rps: 100, disturbed: true },
      { rps: 300, disturbed: true },
      { rps: 200, disturbed: true },
    ]);
    expect(s).toEqual({ reps: 3, disturbed: 3, used: 3, usedDisturbed: true, rps: 200 });
  });

  it('gives no ratio against a missing or zero base', () => {
    expect(ratio(90, 100)).toBe(0.9);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(1, Number.NaN)).toBeNaN();
  });

  it('rotates the order by one case per repetition', () => {
    expect([0, 1, 2, 3].map((r) => rotate(['a', 'b', 'c'], r).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
  });
});

describe('parseWrkOutput', () => {
  it('reads totals, rate, percentiles in their units, and errors', () => {
    const text = `Running 2s test @ http://127.0.0.1:33809/
  1 threads and 64 connections
  Latency Distribution
     50%  799.00us
     75%   13.92ms
     90%   26.68ms
     99%    1.02s
  5000 requests in 2.00s, 610.35KB read
  Socket errors: connect 0, read 2, write 1, timeout 0
  Non-2xx or 3xx responses: 3
Requests/sec:   2499.83
`;
    expect(parseWrkOutput(text)).toEqual({ requests: 5000, seconds: 2, rps: 2499.83, p50: 799, p99: 1.02e6, errors: 3, non2xx: 3 });
  });

  it('refuses output without a summary', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1')).toThrow(/no summary/);
  });
});

describe('parseOptions', () => {
  it('defaults to every group, 3 reps', () => {
    expect(parseOptions([])).toMatchObject({ reps: 3, only: ['client', 'server', 'nginx', 'mtls', 'fastify', 'rss'], quick: false });
  });

  it('makes --quick small and lets explicit options win', () => {
    const o = parseOptions(['--quick', '--reps', '2', '--only', 'client,rss', '--json', 'x.json']);
    expect(o).toMatchObject({ quick: true, reps: 2, count: 400, only: ['client', 'rss'], json: 'x.json' });
  });

  it('refuses unknown groups and options and bad numbers', () => {
    expect(() => parseOptions(['--only', 'clients'])).toThrow(/unknown group clients/);
    expect(() => parseOptions(['--fast'])).toThrow(/unknown option --fast/);
    expect(() => parseOptions(['--reps', '0'])).toThrow(/positive integer/);
    expect(() => parseOptions(['--json'])).toThrow(/needs a value/);
  });
});

describe('nginxConfig', () => {
  it('keeps every path in its dir and proxies with keep-alive to the upstream port', () => {
    const conf = nginxConfig({ dir: '/tmp/d', name: 'a', port: 4001, upstreamPort: 4002 });
    expect(conf).toContain('listen 127.0.0.1:4001;');
    expect(conf).toContain('server 127.0.0.1:4002;');
    expect(conf).toMatch(/keepalive \d+;/);
    expect(conf).toContain('master_process off;');
    const paths = [...conf.matchAll(/(?:pid|error_log|_temp_path) (\S+?)[;\s]/g)].map((m) => m[1] ?? '');
    expect(paths.length).toBe(7);
    for (const p of paths) expect(p.startsWith('/tmp/d/a-')).toBe(true);
  });
});

describe('evaluateTargets', () => {
  const at = (rps: number, extra: Record<string, number> = {}) => ({ 1: { rps, p50: 80, ...extra }, 16: { rps, ...extra }, 64: { rps, ...extra } });
  it('compares with the same run: met, not met, and not measured', () => {
    const t = evaluateTargets({
      pair: { direct: at(1000, { clientUs: 20, clientUsMin: 16 }), meshNode: at(950, { clientUs: 23, clientUsMin: 17 }), meshMesh: { ...at(800), 1: { rps: 800, p50: 85 } }, nginx: at(400) },
    });
    const by = (prefix: string) => t.find((x) => x.what.startsWith(prefix));
    expect(by('mesh.request → node:http')?.met).toBe(true); // 0.95× at every concurrency
    expect(by("inmesh client's own CPU")?.met).toBe(false); // 1.15×
    const lowest = t[t.findIndex((x) => x.what.startsWith("inmesh client's own CPU")) + 1];
    expect(lowest).toMatchObject({ met: true, measured: '1.063× / 1.063×' }); // the cheapest windows: 17 against 16
    expect(by('inmesh client → inmesh server')?.measured).toBe('0.800× / 0.800×');
    expect(by('added p50')?.measured).toBe('+5.0 µs');
    // 0.9 × direct/nginx = 2.25; the mesh pair gives 2.0×.
    expect(by('inmesh pair vs the two-nginx pair')).toMatchObject({ met: false, target: '≥ 0.90 × direct/nginx = 2.250× / 2.250×' });
    expect(by('Fastify via mesh.serve vs plain')).toMatchObject({ met: null, measured: 'not measured' });
  });

  it('judges the mTLS pairs against raw undici → node:https mTLS, each cost beside the case it shares a side with', () => {
    const c = (rps: number, clientUs: number, serverUs: number, p50 = 100) => ({ rps, p50, clientUs, clientUsMin: clientUs - 2, serverUs, serverUsMin: serverUs - 1 });
    const row = (rps: number, clientUs: number, serverUs: number, p50: number) => ({ 1: c(rps, clientUs, serverUs, p50), 16: c(rps, clientUs, serverUs), 64: c(rps, clientUs, serverUs) });
    const t = evaluateTargets({
      pair: {
        direct: row(1000, 20, 15, 80),
        meshMesh: row(950, 22, 16, 86), // plaintext: the pair adds 6 µs
        tlsDirect: row(800, 30, 20, 100),
        tlsUndiciMesh: row(780, 31, 21, 103), // the client is raw undici's: the server costs 21 against 20
        tlsMeshMesh: row(760, 32, 21, 110), // mTLS: the pair adds 10 µs, 4 more than in plaintext
      },
    });
    const by = (prefix: string) => t.filter((x) => x.what.startsWith(prefix));
    const after = (prefix: string) => t[t.findIndex((x) => x.what.startsWith(prefix)) + 1];
    expect(by('mTLS: inmesh pair vs undici → node:https')[0]).toMatchObject({ measured: '0.950× / 0.950×', met: true });
    // mesh.request against raw undici with mesh.serve on both: 32 / 31, lowest 30 / 29.
    expect(by("mTLS: inmesh client's own CPU")[0]).toMatchObject({ measured: '1.032× / 1.032×', met: true });
    expect(after("mTLS: inmesh client's own CPU")).toMatchObject({ measured: '1.034× / 1.034×', met: true });
    // mesh.serve against node:https, both called by raw undici: 21 / 20, lowest 20 / 19.
    expect(by('mTLS: server CPU')[0]).toMatchObject({ measured: '1.050× / 1.050×', met: true });
    expect(after('mTLS: server CPU')).toMatchObject({ measured: '1.053× / 1.053×', met: true });
    expect(by('mTLS: added p50')[0]).toMatchObject({ values: [4], measured: '+4.0 µs (mTLS +10.0 µs, plaintext +6.0 µs)', target: '≤ +5 µs', met: true });
  });

  it('misses the mTLS p50 target past plaintext + 5 µs, and leaves it unjudged without the plaintext pair', () => {
    const p50 = (v: number) => ({ 1: { rps: 1, p50: v } });
    const over = evaluateTargets({ pair: { direct: p50(80), meshMesh: p50(86), tlsDirect: p50(100), tlsMeshMesh: p50(111.5) } });
    expect(over.find((x) => x.what.startsWith('mTLS: added p50'))).toMatchObject({ met: false, measured: '+5.5 µs (mTLS +11.5 µs, plaintext +6.0 µs)' });
    const alone = evaluateTargets({ pair: { tlsDirect: p50(100), tlsMeshMesh: p50(111.5) } });
    expect(alone.find((x) => x.what.startsWith('mTLS: added p50'))).toMatchObject({ met: null, measured: 'not measured' });
    expect(alone.find((x) => x.what.startsWith('mTLS: inmesh pair'))).toMatchObject({ met: null });
  });
});
