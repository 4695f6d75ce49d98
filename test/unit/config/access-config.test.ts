import { describe, expect, it } from 'vitest';
import { normalizeConfigObject } from '../../../src/config/load.js';
import { issuesOf, yaml } from './config-test-helpers.js';

describe('authorization and authentication in mesh.yaml', () => {
  it('normalises rules: allow by default, deduplicated methods, claim values as string lists', () => {
    const c = normalizeConfigObject({
      authorization: {
        orders: [
          { from: ['spiffe://shop.local/svc/*'], methods: ['GET', 'GET'], paths: ['/api/*', '/orders/*/items'] },
          { action: 'deny', paths: ['/admin/*'] },
          { principals: ['https://idp.local/*'], when: { claims: { role: 'admin', level: [1, 2] } } },
        ],
      },
    }).config;
    const [a, d, p] = c.authorization.orders!;
    expect(a).toMatchObject({ action: 'allow', methods: ['GET'], paths: ['/api/*', '/orders/*/items'] });
    expect(d).toMatchObject({ action: 'deny', from: undefined });
    expect(p!.claims).toEqual({ role: ['admin'], level: ['1', '2'] });
  });

  it('normalises JWT providers: authorization header by default, a 5s JWKS timeout', () => {
    const c = normalizeConfigObject({ authentication: { orders: { jwt: [{ issuer: 'https://idp.local', jwksUri: 'http://127.0.0.1:1/jwks', header: 'X-Token' }] } } }).config;
    expect(c.authentication.orders!.jwt[0]).toMatchObject({ issuer: 'https://idp.local', header: 'x-token', timeout: 5000, audiences: undefined });
  });

  it.each([
    ['a peer with a star inside', ['    - from: ["spiffe://shop.local/svc/a*"]'], /invalid peer/],
    ['a path with ..', ['    - paths: [/api/../admin]'], /invalid path "\/api\/\.\.\/admin"/],
    ['a path with //', ['    - paths: ["/api//x"]'], /invalid path/],
    ['a path with a query', ['    - paths: ["/api?x=1"]'], /invalid path/],
    ['a rule that states nothing', ['    - action: deny'], /at least one of from, principals, methods, paths or when/],
    ['an unknown action', ['    - { action: audit, paths: [/x] }'], /audit|allow|deny/],
  ])('refuses %s', (_name, rule, message) => {
    const issues = issuesOf(yaml('authorization:', '  orders:', ...rule));
    expect(issues.map((i) => i.message).join('\n')).toMatch(message);
  });

  it.each([
    ['both jwksUri and jwks', { jwksUri: 'http://127.0.0.1:1/k', jwks: { keys: [{ kty: 'EC' }] } }, /exactly one of jwksUri/],
    ['neither jwksUri nor jwks', {}, /exactly one of jwksUri/],
    ['a symmetric key', { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, /kty must be RSA, EC or OKP/],
    ['a private key', { jwks: { keys: [{ kty: 'EC', d: 'x' }] } }, /private key/],
  ])('refuses a JWT provider with %s', (_name, provider, message) => {
    expect(() => normalizeConfigObject({ authentication: { orders: { jwt: [{ issuer: 'i', ...provider }] } } })).toThrow(message);
  });

  it('refuses the same issuer twice', () => {
    const jwt = [{ issuer: 'i', jwksUri: 'http://127.0.0.1:1/a' }, { issuer: 'i', jwksUri: 'http://127.0.0.1:1/b' }];
    expect(() => normalizeConfigObject({ authentication: { orders: { jwt } } })).toThrow(/listed twice/);
  });
});
