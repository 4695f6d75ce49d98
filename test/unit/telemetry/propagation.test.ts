import { describe, expect, it } from 'vitest';
import {
  createPropagation,
  formatBaggage,
  formatTraceState,
  parseB3Multi,
  parseB3Single,
  parseBaggage,
  parseTraceparent,
  parseTraceState,
  setTraceStateEntry,
  type PropagatedSpan,
} from '../../../src/telemetry/index.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const headers = (h: Record<string, string | string[]>) => (name: string) => h[name];
const injected = (names: Parameters<typeof createPropagation>[0], span: PropagatedSpan, baggage?: Map<string, { value: string; metadata?: string }>) => {
  const out: Record<string, string> = {};
  createPropagation(names).inject(span, baggage, (k, v) => (out[k] = v));
  return out;
};

describe('traceparent', () => {
  it('parses a valid version 00 header, trimming surrounding whitespace', () => {
    expect(parseTraceparent(`00-${T}-${S}-01`)).toEqual({ traceId: T, spanId: S, traceFlags: 1 });
    expect(parseTraceparent(` \t00-${T}-${S}-00 `)).toEqual({ traceId: T, spanId: S, traceFlags: 0 });
    expect(parseTraceparent(`00-${T}-${S}-03`)?.traceFlags).toBe(3);
  });

  it.each([
    ['version ff', `ff-${T}-${S}-01`],
    ['upper-case trace id', `00-${T.toUpperCase()}-${S}-01`],
    ['upper-case version hex', `0A-${T}-${S}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${S}-01`],
    ['all-zero parent id', `00-${T}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${T.slice(1)}-${S}-01`],
    ['extra field on version 00', `00-${T}-${S}-01-extra`],
    ['wrong separator', `00_${T}-${S}-01`],
    ['non-hex flags', `00-${T}-${S}-0g`],
    ['non-hex version', `0x-${T}-${S}-01`],
    ['empty', ''],
    ['future version run on without a dash', `cc-${T}-${S}-01x`],
  ])('refuses %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('reads a later version by the 00 layout, extra data after a dash included', () => {
    expect(parseTraceparent(`cc-${T}-${S}-01-what-the-future-will-be-like`)).toEqual({ traceId: T, spanId: S, traceFlags: 1 });
    expect(parseTraceparent(`01-${T}-${S}-09`)?.traceFlags).toBe(1);
  });
});

describe('tracestate', () => {
  it('keeps order, skips empty members, accepts multi-tenant keys', () => {
    expect(parseTraceState('rojo=00f067aa0ba902b7, ,congo=t61rcWkgMzE,tenant@sys=x')).toEqual([
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
      ['tenant@sys', 'x'],
    ]);
  });

  it.each([
    ['an upper-case key', 'Rojo=1'],
    ['a key starting with a digit (not multi-tenant)', '1abc=1'],
    ['a value with =', 'a=b=c'],
    ['an empty value', 'a=,x=1'],
    ['a value over 256 characters', `a=${'v'.repeat(257)}`],
    ['a duplicate key', 'a=1,b=2,a=3'],
    ['a member without =', 'a=1,b'],
    ['a system part too long', `t@${'a'.repeat(15)}=1`],
    ['a control character', 'a=b\u0001c'],
  ])('discards the whole header for %s', (_name, value) => {
    expect(parseTraceState(value)).toBeUndefined();
  });

  it('allows 32 members and discards 33', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');
    expect(parseTraceState(members(32))).toHaveLength(32);
    expect(parseTraceState(members(33))).toBeUndefined();
  });

  it('keeps what goes out within 512 characters, dropping entries over 128 first, then from the end', () => {
    const big = `big=${'x'.repeat(200)}`;
    const entries = [['a', 'y'.repeat(100)], ['big', 'x'.repeat(200)], ...Array.from({ length: 10 }, (_, i) => [`k${i}`, 'z'.repeat(60)] as const)] as Array<readonly [string, string]>;
    const out = formatTraceState(entries);
    expect(out.length).toBeLessThanOrEqual(512);
    expect(out).not.toContain(big);
    expect(out.startsWith(`a=${'y'.repeat(100)},k0=`)).toBe(true);
    expect(out).not.toContain('k9=');
  });

  it('puts a mutated key at the front and removes its old place', () => {
    expect(setTraceStateEntry([['a', '1'], ['b', '2']], 'b', '3')).toEqual([['b', '3'], ['a', '1']]);
    expect(() => setTraceStateEntry([], 'B', '1')).toThrow(RangeError);
  });
});

describe('baggage', () => {
  it('decodes values, keeps properties, and drops bad members alone', () => {
    const b = parseBaggage('user=alice%20b, bad key=1, broken=%E0%A4%A, tier=gold;ttl=30, =x');
    expect([...b]).toEqual([
      ['user', { value: 'alice b' }],
      ['tier', { value: 'gold', metadata: 'ttl=30' }],
    ]);
  });

  it('reads at most 180 members and writes within 8192 bytes', () => {
    const many = Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(',');
    expect(parseBaggage(many).size).toBe(180);
    const wide = new Map(Array.from({ length: 100 }, (_, i) => [`k${i}`, { value: 'v'.repeat(200) }] as const));
    const out = formatBaggage(wide);
    expect(out.length).toBeLessThanOrEqual(8192);
    expect(out.split(',').length).toBeLessThan(100);
    expect(formatBaggage(new Map([['k', { value: 'a b,c' }]]))).toBe('k=a%20b%2Cc');
  });
});

describe('B3', () => {
  it('reads single headers with 64- and 128-bit trace ids, debug, and an optional parent', () => {
    expect(parseB3Single(`${T}-${S}-1-${S}`)).toEqual({ traceId: T, spanId: S, traceFlags: 1 });
    expect(parseB3Single(`a3ce929d0e0e4736-${S}-d`)).toEqual({ traceId: `0000000000000000a3ce929d0e0e4736`, spanId: S, traceFlags: 1 });
    expect(parseB3Single(`${T}-${S}`)?.traceFlags).toBe(0);
    expect(parseB3Single(`${T}-${S}-0`)?.traceFlags).toBe(0);
  });

  it.each([['a lone decision', '0'], ['a lone 1', '1'], ['a bad sampling flag', `${T}-${S}-x`], ['a zero span id', `${T}-${'0'.repeat(16)}-1`], ['a bad parent', `${T}-${S}-1-zz`], ['upper case', `${T.toUpperCase()}-${S}-1`]])(
    'gives no context for %s',
    (_n, v) => {
      expect(parseB3Single(v)).toBeUndefined();
    },
  );

  it('reads multi headers, sampled by flag, true or the debug flag', () => {
    expect(parseB3Multi(T, S, '1', undefined)?.traceFlags).toBe(1);
    expect(parseB3Multi(T, S, 'true', undefined)?.traceFlags).toBe(1);
    expect(parseB3Multi(T, S, undefined, '1')?.traceFlags).toBe(1);
    expect(parseB3Multi(T, S, '0', undefined)?.traceFlags).toBe(0);
    expect(parseB3Multi(T, S, 'maybe', undefined)).toBeUndefined();
  });
});

describe('createPropagation', () => {
  const span: PropagatedSpan = { traceId: T, spanId: S, traceFlags: 1, traceState: 'vendor=x' };

  it('round-trips each format', () => {
    for (const names of [['tracecontext'], ['b3'], ['b3multi']] as const) {
      const out = injected(names, span);
      const back = createPropagation(names).extract(headers(out)).span;
      expect(back, names[0]).toMatchObject({ traceId: T, spanId: S, traceFlags: 1 });
    }
    const bag = new Map([['user', { value: 'alice' }]]);
    const out = injected(['tracecontext', 'baggage'], span, bag);
    expect(createPropagation(['tracecontext', 'baggage']).extract(headers(out))).toEqual({ span, baggage: bag });
  });

  it('tries formats in the configured order and writes them all', () => {
    const p = createPropagation(['b3', 'tracecontext']);
    const other = '0af7651916cd43dd8448eb211c80319c';
    const both = headers({ b3: `${T}-${S}-1`, traceparent: `00-${other}-${S}-01` });
    expect(p.extract(both).span?.traceId).toBe(T);
    expect(createPropagation(['tracecontext', 'b3']).extract(both).span?.traceId).toBe(other);
    // B3 in, W3C out: the same trace.
    const fromB3 = p.extract(headers({ b3: `${T}-${S}-1` })).span!;
    expect(injected(['tracecontext'], fromB3).traceparent).toBe(`00-${T}-${S}-01`);
    expect(Object.keys(injected(['b3', 'tracecontext'], span)).sort()).toEqual(['b3', 'traceparent', 'tracestate']);
  });

  it('ignores tracestate without a valid traceparent, repeated traceparents, and oversized headers', () => {
    const p = createPropagation(['tracecontext']);
    expect(p.extract(headers({ tracestate: 'a=1' }))).toEqual({});
    expect(p.extract(headers({ traceparent: [`00-${T}-${S}-01`, `00-${T}-${S}-01`] }))).toEqual({});
    expect(p.extract(headers({ traceparent: `00-${T}-${S}-01`, tracestate: ['a=1', 'b=2'] })).span?.traceState).toBe('a=1,b=2');
    expect(p.extract(headers({ traceparent: `00-${T}-${S}-01`, tracestate: 'A=1' })).span?.traceState).toBeUndefined();
    const huge = `00-${T}-${S}-01`.padEnd(1 << 20, ' ');
    expect(p.extract(headers({ traceparent: huge })).span).toBeUndefined();
    expect(p.extract(headers({ traceparent: `00-${T}-${S}-01`, tracestate: 'a=1,'.repeat(1 << 18) })).span?.traceState).toBeUndefined();
  });

  it('names the headers it owns', () => {
    expect(createPropagation(['tracecontext', 'baggage', 'b3multi']).fields).toEqual([
      'traceparent',
      'tracestate',
      'baggage',
      'x-b3-traceid',
      'x-b3-spanid',
      'x-b3-parentspanid',
      'x-b3-sampled',
      'x-b3-flags',
    ]);
  });
});
