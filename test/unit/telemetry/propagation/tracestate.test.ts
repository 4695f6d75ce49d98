import { describe, expect, it } from 'vitest';
import {
  formatTraceState, parseTraceState, removeTraceStateEntry, setTraceStateEntry,
} from '../../../../src/telemetry/index.js';

const entries = (header: string | readonly string[] | undefined) => {
  const parsed = parseTraceState(header);
  return parsed === undefined ? undefined : [...parsed];
};

const members = (count: number) => Array.from({ length: count }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i + 1}`);

describe('parseTraceState', () => {
  it('keeps the members in order, the left-most first', () => {
    expect(entries('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toEqual([['rojo', '00f067aa0ba902b7'], ['congo', 't61rcWkgMzE']]);
  });

  it('joins repeated headers with a comma, in order', () => {
    expect(entries(['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'])?.map(([k]) => k)).toEqual(['foo', 'bar', 'rojo', 'congo', 'baz']);
  });

  it('drops empty and whitespace-only members and the OWS around members', () => {
    expect(entries('foo=1 \t , \t bar=2, \t baz=3')).toEqual([['foo', '1'], ['bar', '2'], ['baz', '3']]);
    expect(entries(['foo=1', ''])).toEqual([['foo', '1']]);
    expect(entries(['', 'foo=1'])).toEqual([['foo', '1']]);
    expect(entries(',, ,\tfoo=1 ,')).toEqual([['foo', '1']]);
    expect(entries('')).toEqual([]);
  });

  it('accepts every allowed key and value character', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    // 0x20–0x7E without ',' and '=', as the W3C suite's all-allowed-characters case (a leading space included).
    const value = String.fromCharCode(
      ...Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => 0x20 + i).filter(c => c !== 0x2c && c !== 0x3d),
    );
    expect(entries(`${key}=${value}`)).toEqual([[key, value]]);
    expect(entries(`${key}@a-z0-9_-*/=${value}`)).toEqual([[`${key}@a-z0-9_-*/`, value]]);
  });

  it('takes 32 members and discards a list of 33 whole', () => {
    const m = members(33);
    const split = (list: string[]) => [list.slice(0, 10).join(','), list.slice(10, 20).join(','), list.slice(20).join(',')];
    expect(parseTraceState(split(m.slice(0, 32)))?.size).toBe(32);
    expect(parseTraceState(split(m))).toBeUndefined();
  });

  it.each([
    ['a space inside the key', 'foo =1'],
    ['an upper-case key', 'FOO=1'],
    ['a dot in the key', 'foo.bar=1'],
    ['an empty vendor', 'foo@=1,bar=2'],
    ['an empty tenant', '@foo=1,bar=2'],
    ['two @', 'foo@@bar=1,bar=2'],
    ['two vendors', 'foo@bar@baz=1,bar=2'],
    ['= in the value', 'foo=bar=baz'],
    ['an empty value', 'foo=,bar=3'],
    ['no =', 'foo,bar=3'],
    ['a value of 257 characters', `foo=${'v'.repeat(257)}`],
    ['a control character in the value', 'foo=a\u0001b'],
    ['a non-ASCII value', 'foo=caf\u00e9'],
    ['a key of 257 characters', ['foo=1', `${'z'.repeat(257)}=1`]],
    ['a tenant of 242 characters', ['foo=1', `${'t'.repeat(242)}@v=1`]],
    ['a vendor of 15 characters', ['foo=1', `t@${'v'.repeat(15)}=1`]],
    ['a vendor starting with a digit', 'foo=1,t@1v=1'],
    ['a duplicate key', 'foo=1,foo=1'],
    ['a duplicate key with another value', 'foo=1,foo=2'],
    ['a duplicate key across headers', ['foo=1', 'foo=2']],
  ])('discards the whole list for %s', (_, header) => {
    expect(parseTraceState(header)).toBeUndefined();
  });

  it('accepts the longest keys the grammar allows', () => {
    expect(parseTraceState(['foo=1', `${'z'.repeat(256)}=1`])?.get('foo')).toBe('1');
    expect(parseTraceState(['foo=1', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`])?.get('foo')).toBe('1');
    expect(parseTraceState('0tenant@vendor=1')?.get('0tenant@vendor')).toBe('1');
    expect(parseTraceState(`foo=${'v'.repeat(256)}`)?.get('foo')).toHaveLength(256);
  });

  it('ignores a header, or repeated headers together, over 8192 characters', () => {
    const padding = ' '.repeat(8192);
    expect(parseTraceState(`foo=1,${padding}`)).toBeUndefined();
    // 'foo=1' + ',' + 8187 = 8193 characters once joined; one fewer is within the limit.
    expect(parseTraceState(['foo=1', padding.slice(5)])).toBeUndefined();
    expect(parseTraceState(['foo=1', padding.slice(6)])?.get('foo')).toBe('1');
  });
});

describe('formatTraceState', () => {
  it('writes the members in order, comma-separated', () => {
    expect(formatTraceState(new Map([['rojo', '1'], ['congo', '2']]))).toBe('rojo=1,congo=2');
    expect(formatTraceState(new Map())).toBe('');
  });

  it('round-trips what parseTraceState reads, minus the whitespace', () => {
    const state = parseTraceState(' foo=1 , ,bar@baz=a b~');
    expect(state).toBeDefined();
    expect(formatTraceState(state ?? new Map())).toBe('foo=1,bar@baz=a b~');
  });

  it('skips entries that break the grammar instead of sending them', () => {
    expect(formatTraceState(new Map([['ok', '1'], ['Bad', '2'], ['evil', 'x\r\ninjected: 1'], ['also', '3']]))).toBe('ok=1,also=3');
  });

  it('keeps no more than 32 entries, the left-most', () => {
    const state = new Map(members(40).map(m => m.split('=') as [string, string]));
    const out = formatTraceState(state).split(',');
    expect(out).toHaveLength(32);
    expect(out[0]).toBe('bar01=1');
    expect(out[31]).toBe('bar32=32');
  });

  it('over 512 characters, drops entries longer than 128 first, right-most first, then from the end', () => {
    const large = (key: string) => [key, 'v'.repeat(200)] as [string, string]; // 'lN=' + 200 = 203 characters
    const small = (key: string) => [key, 's'.repeat(60)] as [string, string];  // 63 characters
    // 63 + 203 + 63 + 203 + 63 + 4 commas = 599: dropping the right-most large entry (l2) is enough.
    const state = new Map([small('s1'), large('l1'), small('s2'), large('l2'), small('s3')]);
    const kept = formatTraceState(state).split(',').map(m => m.split('=')[0]);
    expect(kept).toEqual(['s1', 'l1', 's2', 's3']);

    // Seven small entries (7 × 63 + 6 = 447) and two large: both large go, then the list fits.
    const many = new Map([large('l1'), ...Array.from({ length: 7 }, (_, i) => small(`s${i}`)), large('l2')]);
    const out = formatTraceState(many);
    expect(out.length).toBeLessThanOrEqual(512);
    expect(out.split(',').map(m => m.split('=')[0])).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);

    // Only small entries: they go from the end.
    const smallOnly = new Map(Array.from({ length: 10 }, (_, i) => small(`s${i}`))); // 10 × 63 + 9 = 639
    const trimmed = formatTraceState(smallOnly).split(',').map(m => m.split('=')[0]);
    expect(trimmed).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7']); // 8 × 63 + 7 = 511
  });
});

describe('setTraceStateEntry and removeTraceStateEntry', () => {
  const state = new Map([['rojo', '1'], ['congo', '2']]);

  it('puts a new key at the front', () => {
    expect([...setTraceStateEntry(state, 'mesh', 'x')]).toEqual([['mesh', 'x'], ['rojo', '1'], ['congo', '2']]);
  });

  it('moves an updated key to the front and drops its old place', () => {
    expect([...setTraceStateEntry(state, 'congo', '3')]).toEqual([['congo', '3'], ['rojo', '1']]);
    expect([...state]).toEqual([['rojo', '1'], ['congo', '2']]);
  });

  it('drops the right-most member when a new one would make 33', () => {
    const full = new Map(members(32).map(m => m.split('=') as [string, string]));
    const next = setTraceStateEntry(full, 'mesh', 'x');
    expect(next.size).toBe(32);
    expect([...next.keys()][0]).toBe('mesh');
    expect(next.has('bar32')).toBe(false);
    expect(next.has('bar31')).toBe(true);
  });

  it('leaves the state as it was for an invalid key or value', () => {
    expect(setTraceStateEntry(state, 'Mesh', 'x')).toBe(state);
    expect(setTraceStateEntry(state, 'mesh', 'a,b')).toBe(state);
    expect(setTraceStateEntry(state, 'mesh', '')).toBe(state);
  });

  it('removes a key and keeps the order of the rest', () => {
    const three = new Map([['a', '1'], ['b', '2'], ['c', '3']]);
    expect([...removeTraceStateEntry(three, 'b')]).toEqual([['a', '1'], ['c', '3']]);
    expect(removeTraceStateEntry(three, 'zz')).toBe(three);
  });
});
