import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ControlCache } from '../../../src/config/control-cache.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

const isEntry = (v: unknown): v is { n: number } => typeof (v as { n?: unknown })?.n === 'number';

describe('ControlCache', () => {
  it('writes atomically with 0700/0600 modes and reads back what passes the check', () => {
    const root = mkdtempSync(join(tmpdir(), 'inmesh-cache-'));
    const log = new RecordingLogger();
    const cache = ControlCache.forService('checkout', log, root);
    expect(cache.read('config', isEntry)).toBeUndefined();
    expect(cache.write('config', { n: 1 })).toBe(true);
    expect(cache.write('config', { n: 2 })).toBe(true);
    expect(cache.read('config', isEntry)).toEqual({ n: 2 });
    expect(statSync(cache.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(cache.dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(cache.dir)).toEqual(['config.json']); // no temporary file left
    expect(log.entries).toHaveLength(0);
  });

  it('ignores a corrupted or misshapen entry with a warning', () => {
    const root = mkdtempSync(join(tmpdir(), 'inmesh-cache-'));
    const log = new RecordingLogger();
    const cache = ControlCache.forService('checkout', log, root);
    cache.write('a', { n: 1 });
    writeFileSync(join(cache.dir, 'a.json'), '{"n": ');
    writeFileSync(join(cache.dir, 'b.json'), '{"m": 1}');
    expect(cache.read('a', isEntry)).toBeUndefined();
    expect(cache.read('b', isEntry)).toBeUndefined();
    expect(log.at('warn').map((e) => e.msg)).toEqual(['control cache: a corrupted entry is ignored', 'control cache: a corrupted entry is ignored']);
    expect(() => cache.write('../x', {})).toThrow(RangeError);
  });
});
