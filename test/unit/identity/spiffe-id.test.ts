import { describe, expect, it } from 'vitest';
import { isMeshError } from '../../../src/core/index.js';
import { parseSpiffeId, parseTrustDomain, serviceSpiffeId, trySpiffeId } from '../../../src/identity/spiffe-id.js';

function reasonOf(input: string): string {
  try {
    parseSpiffeId(input);
  } catch (e) {
    expect(isMeshError(e) && e.code).toBe('MESH_ERR_IDENTITY');
    return (e as Error).message;
  }
  throw new Error(`${input} was accepted`);
}

describe('parseSpiffeId', () => {
  it('splits a valid ID into trust domain and path, and prints it back', () => {
    const id = parseSpiffeId('spiffe://shop.local/svc/orders');
    expect([id.trustDomain, id.path, `${id}`]).toEqual(['shop.local', '/svc/orders', 'spiffe://shop.local/svc/orders']);
    expect(id.isMemberOf('shop.local')).toBe(true);
    expect(id.isMemberOf('other.local')).toBe(false);
    expect(JSON.stringify({ id })).toBe('{"id":"spiffe://shop.local/svc/orders"}');
  });

  it('accepts every allowed character, and the trust domain alone', () => {
    expect(parseSpiffeId('spiffe://a-b_c.9').path).toBe('');
    expect(parseSpiffeId('spiffe://td/AZaz09.-_/x..y/.hidden').path).toBe('/AZaz09.-_/x..y/.hidden');
  });

  it.each([
    ['SPIFFE://td/x', 'lowercase "spiffe"'],
    ['Spiffe://td/x', 'lowercase "spiffe"'],
    ['https://td/x', 'must start with "spiffe://"'],
    ['spiffe:/td/x', 'must start with "spiffe://"'],
    ['spiffe://', 'trust domain is empty'],
    ['spiffe:///svc/x', 'trust domain is empty'],
    ['spiffe://Shop.local/x', 'found "S"'],
    ['spiffe://shop~local/x', 'found "~"'],
    ['spiffe://user@td/x', 'userinfo'],
    ['spiffe://td:8443/x', 'port'],
    ['spiffe://td/x?y=1', 'query'],
    ['spiffe://td/x#frag', 'fragment'],
    ['spiffe://td/x%20y', 'percent-encoding'],
    ['spiffe://t%64/x', 'percent-encoding'],
    ['spiffe://td/', 'trailing slash'],
    ['spiffe://td/svc/', 'trailing slash'],
    ['spiffe://td//x', 'empty segment'],
    ['spiffe://td/a//b', 'empty segment'],
    ['spiffe://td/./x', '"." segment'],
    ['spiffe://td/a/..', '".." segment'],
    ['spiffe://td/a b', 'found " "'],
    ['spiffe://td/a:b', 'found ":"'],
    ['spiffe://td/caf\u00e9', 'found "é"'],
  ])('refuses %s, naming the rule (%s)', (input, reason) => {
    expect(reasonOf(input)).toContain(reason);
  });

  it('limits the trust domain to 255 characters', () => {
    expect(parseSpiffeId(`spiffe://${'a'.repeat(255)}/x`).trustDomain).toHaveLength(255);
    expect(reasonOf(`spiffe://${'a'.repeat(256)}/x`)).toContain('longer than 255');
  });

  it('limits the whole ID to 2048 bytes', () => {
    const head = 'spiffe://td/';
    expect(`${parseSpiffeId(head + 'a'.repeat(2048 - head.length))}`).toHaveLength(2048);
    expect(reasonOf(head + 'a'.repeat(2049 - head.length))).toContain('longer than 2048 bytes');
  });

  it('refuses what is not a string', () => {
    expect(() => parseSpiffeId(42 as unknown as string)).toThrow(/not a string/);
  });
});

describe('trySpiffeId', () => {
  it('answers undefined instead of throwing', () => {
    expect(trySpiffeId('spiffe://td/x')?.path).toBe('/x');
    expect(trySpiffeId('spiffe://td/x/')).toBeUndefined();
  });
});

describe('serviceSpiffeId', () => {
  it('puts the service under /svc/', () => {
    expect(`${serviceSpiffeId('shop.local', 'orders')}`).toBe('spiffe://shop.local/svc/orders');
  });

  it('refuses a service name that is not one path segment, and a bad trust domain', () => {
    expect(() => serviceSpiffeId('shop.local', 'a/b')).toThrow(/service name "a\/b"/);
    expect(() => serviceSpiffeId('shop.local', '..')).toThrow(/".." segment/);
    expect(() => serviceSpiffeId('Shop', 'orders')).toThrow(/invalid trust domain "Shop"/);
  });
});

describe('parseTrustDomain', () => {
  it('accepts a name and refuses ports and capitals', () => {
    expect(parseTrustDomain('shop.local')).toBe('shop.local');
    expect(() => parseTrustDomain('shop.local:1')).toThrow(/port/);
    expect(() => parseTrustDomain('')).toThrow(/empty/);
  });
});

describe('SpiffeId', () => {
  it('is frozen, so a checked ID cannot be changed into an unchecked one', () => {
    const id = parseSpiffeId('spiffe://td/a');
    expect(Object.isFrozen(id)).toBe(true);
    expect(() => Object.assign(id, { path: '/../x' })).toThrow(TypeError);
    expect(Object.keys(SpiffeIdStatics(id))).toEqual([]);
  });
});

/** The static members a caller could reach from an instance (none should build an ID). */
function SpiffeIdStatics(id: object): Record<string, unknown> {
  return Object.fromEntries(Object.getOwnPropertyNames(id.constructor).filter((k) => !['length', 'name', 'prototype'].includes(k)).map((k) => [k, 1]));
}
