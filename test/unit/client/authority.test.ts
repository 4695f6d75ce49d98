import { describe, expect, it } from 'vitest';
import { hostOfOrigin } from '../../../src/client/http/authority.js';
import { headerValue } from '../../../src/client/http/header-value.js';

describe('hostOfOrigin', () => {
  it.each([
    ['http://orders', 'orders'],
    ['http://Orders:8080', 'orders'],
    ['https://orders.shop.svc.cluster.local/x', 'orders.shop.svc.cluster.local'],
    ['http://[::1]:80', '::1'],
    ['http://127.0.0.1:9', '127.0.0.1'],
  ])('%s → %s', (origin, host) => expect(hostOfOrigin(origin)).toBe(host));
});

describe('headerValue', () => {
  it('reads a header from any shape, case-insensitively', () => {
    expect(headerValue({ 'X-User': 'u1' }, 'x-user')).toBe('u1');
    expect(headerValue(['x-user', 'u2'], 'x-user')).toBe('u2');
    expect(headerValue({ 'x-user': ['u3', 'u4'] }, 'x-user')).toBe('u3');
    expect(headerValue(null, 'x-user')).toBeUndefined();
  });
});
