import { describe, expect, it } from 'vitest';
import { formatBaggage, parseBaggage, type BaggageEntry } from '../../../../src/telemetry/index.js';

const asObject = (map: ReadonlyMap<string, BaggageEntry> | undefined) => (map === undefined ? undefined : Object.fromEntries(map));

describe('parseBaggage', () => {
  it('reads members, percent-decodes values and keeps properties as received', () => {
    expect(asObject(parseBaggage('userId=alice,serverNode=DF%2028,isProduction=false'))).toEqual({
      userId: { value: 'alice' }, serverNode: { value: 'DF 28' }, isProduction: { value: 'false' },
    });
    expect(asObject(parseBaggage('key1=value1;property1;property2=x, key2 = value2 ;p = 1'))).toEqual({
      key1: { value: 'value1', metadata: 'property1;property2=x' },
      key2: { value: 'value2', metadata: 'p = 1' },
    });
  });

  it('decodes UTF-8 escapes and leaves + alone (this is not form encoding)', () => {
    expect(parseBaggage('city=M%C3%BCnchen,sum=1+1')?.get('city')?.value).toBe('München');
    expect(parseBaggage('sum=1+1')?.get('sum')?.value).toBe('1+1');
  });

  it('accepts an empty value, which the grammar allows', () => {
    expect(parseBaggage('flag=')?.get('flag')).toEqual({ value: '' });
  });

  it.each([
    ['a truncated escape', 'bad=%E'],
    ['a non-hex escape', 'bad=%zz'],
    ['an escape that is not UTF-8', 'bad=%C3%28'],
    ['a key that is not a token', 'b@d=1'],
    ['an empty key', '=1'],
    ['no =', 'lonely'],
    ['a space inside the value', 'bad=a b'],
    ['a quote in the value', 'bad="x"'],
    ['a backslash in the value', 'bad=a\\b'],
    ['a non-ASCII value', 'bad=caf\u00e9'],
    ['a property that is not a token', 'bad=1;p@=2'],
    ['an empty property between two', 'bad=1;a;;b'],
  ])('drops only the member with %s', (_, member) => {
    expect(asObject(parseBaggage(`good=1,${member},other=2`))).toEqual({ good: { value: '1' }, other: { value: '2' } });
  });

  it('gives undefined when no member is valid or there is no header', () => {
    expect(parseBaggage('bad=%E')).toBeUndefined();
    expect(parseBaggage('')).toBeUndefined();
    expect(parseBaggage(' , ,')).toBeUndefined();
    expect(parseBaggage(undefined)).toBeUndefined();
  });

  it('joins repeated headers and lets a repeated key keep its last value', () => {
    expect(asObject(parseBaggage(['a=1,b=2', 'a=3']))).toEqual({ a: { value: '3' }, b: { value: '2' } });
  });

  it('keeps at most 180 members and drops the rest', () => {
    const header = Array.from({ length: 200 }, (_, i) => `k${i}=${i}`).join(',');
    const parsed = parseBaggage(header);
    expect(parsed?.size).toBe(180);
    expect(parsed?.has('k179')).toBe(true);
    expect(parsed?.has('k180')).toBe(false);
  });

  it('drops a member over 4096 characters and keeps the others', () => {
    const big = `big=${'x'.repeat(4093)}`; // 4097 characters
    const limit = `max=${'x'.repeat(4092)}`; // 4096 characters
    expect([...(parseBaggage(`a=1,${big},b=2`)?.keys() ?? [])]).toEqual(['a', 'b']);
    expect(parseBaggage(limit)?.get('max')?.value).toHaveLength(4092);
  });

  it('reads only members that lie wholly within the first 8192 characters', () => {
    const members = Array.from({ length: 3 }, (_, i) => `k${i}=${'x'.repeat(3000)}`); // 3003 characters each
    const parsed = parseBaggage(members.join(','));
    expect([...(parsed?.keys() ?? [])]).toEqual(['k0', 'k1']);
    // A member that ends exactly at the limit is whole when a comma or whitespace follows, cut short otherwise.
    const whole = `a=${'x'.repeat(4094)},b=${'y'.repeat(4093)}`; // 4096 + 1 + 4095 characters
    expect(whole).toHaveLength(8192);
    expect([...(parseBaggage(`${whole},c=1`)?.keys() ?? [])]).toEqual(['a', 'b']);
    expect([...(parseBaggage(`${whole} ,c=1`)?.keys() ?? [])]).toEqual(['a', 'b']);
    expect([...(parseBaggage(`${whole}q,c=1`)?.keys() ?? [])]).toEqual(['a']);
  });

  it('returns promptly on a 1 MB header and keeps what fits', () => {
    const huge = `a=1,${'x'.repeat(1024 * 1024)}`;
    expect(asObject(parseBaggage(huge))).toEqual({ a: { value: '1' } });
    expect(parseBaggage(Array.from({ length: 100_000 }, () => 'a=%'))).toBeUndefined();
  });
});

describe('formatBaggage', () => {
  it('percent-encodes values and appends metadata', () => {
    expect(formatBaggage(new Map<string, BaggageEntry>([
      ['userId', { value: 'alice' }],
      ['city', { value: 'München, Bayern' }],
      ['k', { value: 'v', metadata: 'p1;p2=x' }],
    ]))).toBe('userId=alice,city=M%C3%BCnchen%2C%20Bayern,k=v;p1;p2=x');
  });

  it('skips an entry it cannot represent: bad key, bad metadata, lone surrogate', () => {
    expect(formatBaggage(new Map<string, BaggageEntry>([
      ['ok', { value: '1' }],
      ['b@d', { value: '2' }],
      ['meta', { value: '3', metadata: 'x\r\ninjected: 1' }],
      ['surrogate', { value: '\ud800' }],
      ['also', { value: '4' }],
    ]))).toBe('ok=1,also=4');
  });

  it('skips a member over 4096 characters but goes on', () => {
    const out = formatBaggage(new Map<string, BaggageEntry>([['big', { value: 'x'.repeat(4093) }], ['small', { value: '1' }]]));
    expect(out).toBe('small=1');
  });

  it('stops before 180 members or 8192 characters', () => {
    const many = new Map(Array.from({ length: 200 }, (_, i) => [`k${i}`, { value: String(i) }] as const));
    expect(formatBaggage(many).split(',')).toHaveLength(180);
    const wide = new Map(Array.from({ length: 5 }, (_, i) => [`k${i}`, { value: 'x'.repeat(2000) }] as const));
    const out = formatBaggage(wide);
    expect(out.split(',')).toHaveLength(4); // 4 × 2003 + 3 = 8015; a fifth would pass 8192
    expect(out.length).toBeLessThanOrEqual(8192);
    expect(formatBaggage(new Map())).toBe('');
  });

  it('round-trips through parseBaggage', () => {
    const baggage = new Map<string, BaggageEntry>([
      ['user-id', { value: 'alice smith' }],
      ['emoji', { value: '🚀;,=%' }],
      ['empty', { value: '' }],
      ['tagged', { value: 'x', metadata: 'ttl=60;private' }],
    ]);
    expect(parseBaggage(formatBaggage(baggage))).toEqual(baggage);
  });
});
