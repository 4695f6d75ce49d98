import { describe, expect, it } from 'vitest';
import type { AuthorizationRule } from '../../../src/config/types.js';
import { compileAuthorizationPolicy, compilePaths } from '../../../src/identity/authorization-policy.js';

const CHECKOUT = 'spiffe://shop.local/svc/checkout';
const CART = 'spiffe://shop.local/svc/cart';
const OTHER_DOMAIN = 'spiffe://other.local/svc/checkout';

function rule(r: Partial<AuthorizationRule>): AuthorizationRule {
  return { action: 'allow', from: undefined, principals: undefined, methods: undefined, paths: undefined, claims: undefined, ...r };
}

const decide = (rules: AuthorizationRule[], peer: string | undefined, method: string, path: string, claims?: Record<string, unknown>) =>
  compileAuthorizationPolicy(rules).decide(peer, claims && `${String(claims.iss)}/${String(claims.sub)}`, claims, method, path);

describe('compileAuthorizationPolicy', () => {
  it('allows a request an allow rule matches, and refuses the rest once rules exist', () => {
    const rules = [rule({ from: [CHECKOUT], methods: ['GET'], paths: ['/api/*'] })];
    expect(decide(rules, CHECKOUT, 'GET', '/api/orders')).toBeUndefined();
    expect(decide(rules, CHECKOUT, 'POST', '/api/orders')).toBe('no-rule');
    expect(decide(rules, CART, 'GET', '/api/orders')).toBe('no-rule');
    expect(decide(rules, CHECKOUT, 'GET', '/admin')).toBe('no-rule');
  });

  it('lets a matching deny rule win over an allow rule, whatever their order', () => {
    const rules = [rule({ from: ['*'] }), rule({ action: 'deny', from: [CART], paths: ['/api/admin/*'] })];
    expect(decide(rules, CART, 'GET', '/api/admin/users')).toBe('deny-rule');
    expect(decide(rules, CART, 'GET', '/api/orders')).toBeUndefined();
    expect(decide(rules, CHECKOUT, 'GET', '/api/admin/users')).toBeUndefined();
  });

  it('applies a deny rule to every spelling a router treats as the same path', () => {
    const rules = [rule({ from: ['*'] }), rule({ action: 'deny', paths: ['/admin/*'] })];
    expect(decide(rules, CHECKOUT, 'GET', '/Admin/users')).toBe('deny-rule');
  });

  it('denies everything for an empty list, and for a list of deny rules only', () => {
    expect(decide([], CHECKOUT, 'GET', '/')).toBe('no-rule');
    expect(decide([rule({ action: 'deny', paths: ['/admin/*'] })], CHECKOUT, 'GET', '/api')).toBe('no-rule');
  });

  it("matches peers exactly, under a '/*' prefix, or any authenticated one with '*'; never a plaintext caller", () => {
    const prefix = [rule({ from: ['spiffe://shop.local/svc/*'] })];
    expect(decide(prefix, CHECKOUT, 'GET', '/')).toBeUndefined();
    expect(decide(prefix, OTHER_DOMAIN, 'GET', '/')).toBe('no-rule');
    expect(decide(prefix, 'spiffe://shop.local/svcx', 'GET', '/')).toBe('no-rule');
    const any = [rule({ from: ['*'] })];
    expect(decide(any, OTHER_DOMAIN, 'GET', '/')).toBeUndefined();
    expect(decide(any, undefined, 'GET', '/')).toBe('no-identity');
  });

  it('lets a rule without from match plaintext callers too (paths only)', () => {
    expect(decide([rule({ paths: ['/healthz'] })], undefined, 'GET', '/healthz')).toBeUndefined();
  });

  it('matches request principals and claims of a verified JWT; no token matches neither', () => {
    const rules = [rule({ principals: ['https://idp.local/*'], claims: { groups: ['admins'], tier: ['gold', '2'] } })];
    const claims = { iss: 'https://idp.local', sub: 'alice', groups: ['staff', 'admins'], tier: 'gold' };
    expect(decide(rules, undefined, 'GET', '/', claims)).toBeUndefined();
    expect(decide(rules, undefined, 'GET', '/', { ...claims, tier: 2 })).toBeUndefined();
    expect(decide(rules, undefined, 'GET', '/', { ...claims, groups: ['staff'] })).toBe('no-rule');
    expect(decide(rules, undefined, 'GET', '/', { ...claims, iss: 'https://evil.local' })).toBe('no-rule');
    expect(decide(rules, undefined, 'GET', '/')).toBe('no-identity');
  });
});

describe('compilePaths', () => {
  const m = (patterns: string[], path: string) => compilePaths(patterns).test(path);

  it('matches exact paths whole, and stops at the query', () => {
    expect(m(['/a/b'], '/a/b')).toBe(true);
    expect(m(['/a/b'], '/a/b?x=1')).toBe(true);
    expect(m(['/a/b'], '/a/bc')).toBe(false);
    expect(m(['/a/b'], '/a/b/')).toBe(false);
  });

  it("matches any rest after a trailing '*', slashes included", () => {
    expect(m(['/api/*'], '/api/')).toBe(true);
    expect(m(['/api/*'], '/api/a/b?q')).toBe(true);
    expect(m(['/api/*'], '/api')).toBe(false);
    expect(m(['/api/*'], '/apix')).toBe(false);
    expect(m(['/api*'], '/apis/x')).toBe(true);
    expect(m(['*'], '/anything')).toBe(true);
  });

  it("matches a '*' inside a path within one segment only", () => {
    expect(m(['/orders/*/items'], '/orders/42/items')).toBe(true);
    expect(m(['/orders/*/items'], '/orders/4/2/items')).toBe(false);
    expect(m(['/files/*.png'], '/files/cat.png')).toBe(true);
    expect(m(['/files/*.png'], '/files/a/cat.png')).toBe(false);
    expect(m(['/orders/*/items/*'], '/orders/42/items/7/x')).toBe(true);
  });

  it('matches deny paths in any letter case and with a trailing slash, as Express routes them; allow paths exactly', () => {
    const deny = (path: string) => compilePaths(['/admin', '/internal/*'], { asRoutersDo: true }).test(path);
    expect([deny('/ADMIN'), deny('/admin/'), deny('/Internal/x'), deny('/admins')]).toEqual([true, true, true, false]);
    expect([m(['/admin'], '/ADMIN'), m(['/admin'], '/admin/')]).toEqual([false, false]);
  });

  it('treats regular-expression characters in patterns literally', () => {
    expect(m(['/a.b'], '/axb')).toBe(false);
    expect(m(['/a(b)'], '/a(b)')).toBe(true);
  });
});
