import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../../src/core/index.js';
import { compileRouteMatch } from '../../../src/client/routing/route-matcher.js';
import type { HttpRequest } from '../../../src/client/http/http-types.js';
import { normalizeConfigObject, parseMeshConfig } from '../../../src/config/load.js';
import { ORDERS, issuesOf, yaml } from './config-test-helpers.js';

const PROTO_MESSAGE = "'__proto__' cannot be a key here: JavaScript objects reserve it";
const req = (headers: Record<string, string>): HttpRequest => ({ opts: { path: '/', method: 'GET', headers }, authority: 'orders' });

describe('user keys stay data', () => {
  it.each([
    ['a service', ['services:', '  __proto__:', '    endpoints: ["127.0.0.1:8082"]', ...ORDERS.slice(1)], 'services.__proto__', 2],
    ['an endpoint label', [...ORDERS.slice(0, 2), '    endpoints:', '      - { address: "127.0.0.1:8081", labels: { __proto__: x } }'], 'services.orders.endpoints[0].labels.__proto__', 4],
    ['a subset', [...ORDERS, '    subsets:', '      __proto__: { version: v1 }'], 'services.orders.subsets.__proto__', 5],
    ["a subset's label", [...ORDERS, '    subsets:', '      v1: { __proto__: v1 }'], 'services.orders.subsets.v1.__proto__', 5],
    ['a header match', [...ORDERS, '    routes:', '      - match: { headers: { __proto__: "1" } }', '        backends: [{ subset: v1 }]'], 'services.orders.routes[0].match.headers.__proto__', 5],
    ['an authorization rule set', ['authorization:', '  __proto__: []'], 'authorization.__proto__', 2],
  ])('refuses __proto__ as %s, by name, at the key', (_what, lines, path, line) => {
    const text = yaml(...lines);
    const issues = issuesOf(text);
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toMatchObject({ file: 'mesh.yaml', line, message: PROTO_MESSAGE });
    expect(issue!.column).toBe(text.split('\n')[line - 1]!.indexOf('__proto__') + 1);
  });

  it('refuses __proto__ in a configuration object (from JSON.parse)', () => {
    const obj = JSON.parse('{ "services": { "orders": { "endpoints": ["127.0.0.1:8081"], "subsets": { "__proto__": { "version": "v1" } } } } }') as unknown;
    expect(() => normalizeConfigObject(obj, { env: {} })).toThrow(ConfigValidationError);
    expect(() => normalizeConfigObject(obj, { env: {} })).toThrow(`services.orders.subsets.__proto__: ${PROTO_MESSAGE}`);
  });

  it('matches a header named constructor, once', () => {
    const snap = parseMeshConfig(yaml(...ORDERS, '    routes:', '      - match: { headers: { constructor: "1", toString: { present: true } } }'), { env: {} });
    const match = snap.config.services.orders!.routes[0]!.match;
    expect(Object.keys(match.headers)).toEqual(['constructor', 'tostring']);
    const m = compileRouteMatch(match);
    expect(m(req({ constructor: '1', tostring: 'x' }))).toBe(true);
    expect(m(req({ tostring: 'x' }))).toBe(false);
    expect(m(req({}))).toBe(false);
  });

  it('a version label named like an Object method makes its subset', () => {
    const snap = parseMeshConfig(
      yaml(...ORDERS.slice(0, 2), '    endpoints:', '      - { address: "127.0.0.1:8081", labels: { version: toString } }', '      - { address: "127.0.0.1:8082", labels: { version: constructor } }', '    routes:', '      - backends: [{ subset: toString }]'),
      { env: {} },
    );
    const orders = snap.config.services.orders!;
    expect(orders.subsets).toEqual({ toString: { version: 'toString' }, constructor: { version: 'constructor' } });
    expect(orders.routes[0]!.backends).toEqual([{ subset: 'toString', weight: 100 }]);
  });

  it('a service that is not configured is not found through Object.prototype', () => {
    const { services } = parseMeshConfig(yaml(...ORDERS), { env: {} }).config;
    expect(services['constructor']).toBeUndefined();
    expect(services['hasOwnProperty']).toBeUndefined();
    // A configured service of that name is found as any other.
    const own = parseMeshConfig(yaml('services:', '  constructor:', '    endpoints: ["127.0.0.1:8081"]'), { env: {} }).config.services;
    expect(own['constructor']?.name).toBe('constructor');
  });
});
