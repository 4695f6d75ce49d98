import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, tryParseDuration } from '../../../src/config/duration.js';
import { interpolate, interpolateTree } from '../../../src/config/interpolate.js';
import { didYouMean, levenshtein } from '../../../src/config/did-you-mean.js';
import { parseHostPort } from '../../../src/config/endpoint-address.js';
import { formatKeyPath } from '../../../src/config/key-path.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1.1s', 1100],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['0.5m', 30_000],
    ['250', 250],
    [250, 250],
    [0, 0],
  ] as const)('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['', '1d', '-1s', '1 s', 's', '1.s', '1e3ms', 'fast'])('rejects %j with a message saying what is accepted', (input) => {
    expect(() => parseDuration(input)).toThrow(new RangeError(`invalid duration ${JSON.stringify(input)}: use a number with a unit: 250ms, 2s, 1.5s, 1m, 1h (a bare number is milliseconds)`));
  });

  it('rejects negative and non-finite numbers', () => {
    expect(tryParseDuration(-1)).toBeUndefined();
    expect(tryParseDuration(Infinity)).toBeUndefined();
    expect(tryParseDuration(true)).toBeUndefined();
  });

  it('formats back to the shortest exact spelling', () => {
    expect([250, 2000, 1500, 60_000, 90_000, 3_600_000, 86_400_000, 0].map(formatDuration)).toEqual(['250ms', '2s', '1.5s', '1m', '90s', '1h', '24h', '0ms']);
  });
});

describe('interpolate', () => {
  const env = { HOST: 'db', PORT: '5432', EMPTY: '' };

  it('replaces variables and defaults with shell semantics', () => {
    expect(interpolate('${HOST}:${PORT}', env)).toEqual({ ok: true, value: 'db:5432', changed: true });
    expect(interpolate('${MISSING:-x}-${EMPTY:-y}-${EMPTY}', env)).toEqual({ ok: true, value: 'x-y-', changed: true });
    expect(interpolate('${MISSING:-a:b}', env)).toEqual({ ok: true, value: 'a:b', changed: true });
    expect(interpolate('no refs, $5 and $HOST stay', env)).toEqual({ ok: true, value: 'no refs, $5 and $HOST stay', changed: false });
  });

  it('treats $${ as a literal ${', () => {
    expect(interpolate('$${HOST} ${HOST}', env)).toEqual({ ok: true, value: '${HOST} db', changed: true });
  });

  it('reports unset variables and malformed references', () => {
    expect(interpolate('${A}${B}', {})).toEqual({ ok: false, message: "environment variable 'A', 'B' is not set (write ${A:-default} to give a default)" });
    expect(interpolate('${A-B}', {})).toEqual({ ok: false, message: "invalid reference '${A-B}': use ${NAME} or ${NAME:-default}" });
    expect(interpolate('x ${A', {})).toEqual({ ok: false, message: 'unclosed \'${\' in "x ${A"' });
  });

  it('walks plain trees, leaving keys alone', () => {
    const r = interpolateTree({ '${K}': ['${HOST}', 1, { deep: '${NOPE}' }] }, env);
    expect(r.value).toEqual({ '${K}': ['db', 1, { deep: '${NOPE}' }] });
    expect(r.issues).toEqual([{ path: ['${K}', 2, 'deep'], message: "environment variable 'NOPE' is not set (write ${NOPE:-default} to give a default)", at: 'value' }]);
  });
});

describe('didYouMean', () => {
  it('suggests close keys and nothing for distant ones', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('atempts', 'attempts')).toBe(1);
    expect(levenshtein('ab', 'ba')).toBe(1);
    expect(didYouMean('loadBalncer', ['timeout', 'loadBalancer', 'retries'])).toBe('loadBalancer');
    expect(didYouMean('tiemout', ['timeout', 'perTryTimeout'])).toBe('timeout');
    expect(didYouMean('zzz', ['port', 'host'])).toBeUndefined();
    expect(didYouMean('x', ['y'])).toBe('y');
    expect(didYouMean('ab', ['xy'])).toBeUndefined();
  });
});

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:8081', { host: '127.0.0.1', port: 8081 }],
    ['orders.shop.svc:80', { host: 'orders.shop.svc', port: 80 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['[fe80::1%eth0]:1', { host: 'fe80::1%eth0', port: 1 }],
    ['localhost', { error: "expected 'host:port', got 'localhost'" }],
    [':80', { error: "expected 'host:port', got ':80'" }],
    ['host:http', { error: "expected 'host:port', got 'host:http'" }],
    ['host:65536', { error: 'port 65536 is out of range 1..65535' }],
    ['bad host:80', { error: "invalid host 'bad host' in 'bad host:80'" }],
    ['[nope]:80', { error: "'nope' in brackets is not an IPv6 address" }],
  ] as const)('%s', (input, expected) => {
    expect(parseHostPort(input)).toEqual(expected);
  });
});

describe('formatKeyPath', () => {
  it('writes dotted paths with indexes, quoting keys that contain dots', () => {
    expect(formatKeyPath(['services', 'orders', 'routes', 0, 'backends', 1, 'weight'])).toBe('services.orders.routes[0].backends[1].weight');
    expect(formatKeyPath(['services', 'orders.shop', 'match', 'headers', 'x-canary'])).toBe('services["orders.shop"].match.headers.x-canary');
    expect(formatKeyPath([])).toBe('');
  });
});
