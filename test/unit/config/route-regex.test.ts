import { describe, expect, it } from 'vitest';
import { compileRouteMatch } from '../../../src/client/routing/route-matcher.js';
import type { HttpRequest } from '../../../src/client/http/http-types.js';
import { ORDERS, issuesOf, yaml } from './config-test-helpers.js';
import { parseMeshConfig } from '../../../src/config/load.js';

const req = (path: string, headers: Record<string, string> = {}): HttpRequest => ({ opts: { path, method: 'GET', headers }, authority: 'orders' });
const routeWith = (match: string) => yaml(...ORDERS, '    routes:', `      - match: ${match}`);

describe('route regexes (RE2 semantics)', () => {
  it('matches a pathological pattern against a long path in linear time', () => {
    // A backtracking engine needs about 2^n steps for `(a+)+` on n a's that end in a mismatch:
    // 10,000 characters would not finish in the lifetime of the test run.
    const m = compileRouteMatch({ path: { regex: '/(a+)+' }, methods: undefined, headers: { 'x-id': { regex: '(a|aa)+' } } });
    const long = `/${'a'.repeat(10_000)}!`;
    const started = performance.now();
    expect(m(req(long, { 'x-id': 'a'.repeat(10_000) }))).toBe(false);
    expect(m(req(`/${'a'.repeat(10_000)}`, { 'x-id': `${'a'.repeat(10_000)}b` }))).toBe(false);
    expect(m(req(`/${'a'.repeat(10_000)}`, { 'x-id': 'a'.repeat(10_000) }))).toBe(true);
    // Generous: linear matching takes milliseconds, backtracking would take ages.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('matches the whole value, as Envoy does', () => {
    const m = compileRouteMatch({ path: { regex: '/api/v[0-9]+' }, methods: undefined, headers: {} });
    expect(m(req('/api/v2'))).toBe(true);
    expect(m(req('/api/v2/orders'))).toBe(false);
    expect(m(req('/x/api/v2'))).toBe(false);
    expect(m(req('/api/v2?q=1'))).toBe(true);
  });

  it('accepts RE2 syntax in the config', () => {
    const snap = parseMeshConfig(routeWith('{ path: { regex: "/api/(?P<v>v[0-9]+)/.*" }, headers: { x-user: { regex: "u\\\\d+" } } }'), { env: {} });
    expect(snap.config.services.orders!.routes[0]!.match.path).toEqual({ regex: '/api/(?P<v>v[0-9]+)/.*' });
  });

  it.each([
    ['a lookahead', '/api(?=/v1)', /lookaround/],
    ['a negative lookbehind', '(?<!x)/api', /lookaround/],
    ['a backreference', '/(a)\\\\1', /backreference/],
    ['an unclosed group', '/a(', /missing closing \)/],
  ])('refuses %s with the key path', (_what, pattern, message) => {
    const issues = issuesOf(routeWith(`{ path: { regex: "${pattern}" } }`));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'mesh.yaml', line: 5, path: 'services.orders.routes[0].match.path.regex' });
    expect(issues[0]!.message).toMatch(/^invalid regex .*: /);
    expect(issues[0]!.message).toMatch(message);
  });

  it('refuses a header regex RE2 does not support, at its key path', () => {
    const issues = issuesOf(routeWith('{ headers: { x-user: { regex: "(?!admin).*" } } }'));
    expect(issues.map((i) => i.path)).toEqual(['services.orders.routes[0].match.headers.x-user.regex']);
  });
});
