import { describe, expect, it } from 'vitest';
import { interpolate, interpolateTree } from '../../../src/config/interpolate.js';
import { normalizeConfigObject, parseMeshConfig } from '../../../src/config/load.js';
import { issuesOf, yaml } from './config-test-helpers.js';

describe('messages that point at the real mistake', () => {
  it.each([
    ['http://127.0.0.1:8081', "write an endpoint as 'host:port' without a scheme: '127.0.0.1:8081'"],
    ['https://orders.local:8443/api', "write an endpoint as 'host:port' without a scheme: 'orders.local:8443'"],
    ['http://[::1]:8081', "write an endpoint as 'host:port' without a scheme: '[::1]:8081'"],
  ])('an endpoint written as the URL %s says to drop the scheme', (url, message) => {
    const issues = issuesOf(yaml('services:', '  orders:', `    endpoints: ["${url}"]`));
    expect(issues.map((i) => [i.path, i.message])).toEqual([['services.orders.endpoints[0]', message]]);
  });

  it.each([
    ['an unclosed flow list', ['services:', '  orders:', '    endpoints: ["127.0.0.1:8081"', '    timeout: 2s', '  payments:', '    endpoints: ["127.0.0.1:8082"]'], 3, 'services.orders.endpoints'],
    ['an unclosed quote', ['services:', '  orders:', '    timeout: "2s', '    tls: none'], 3, 'services.orders.timeout'],
    ['an unclosed flow map', ['services:', '  orders:', '    endpoints: ["127.0.0.1:8081"]', '    retries: { attempts: 3', '    tls: none'], 4, 'services.orders.retries'],
    ['an unclosed quote in a block list', ['services:', '  orders:', '    endpoints:', '      - "127.0.0.1:8081', '    tls: none'], 4, 'services.orders.endpoints[0]'],
  ])('a YAML syntax error in %s names the broken line and its key, once', (_what, lines, line, path) => {
    const issues = issuesOf(yaml(...lines));
    expect(issues, JSON.stringify(issues)).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'mesh.yaml', line, path });
    expect(issues[0]!.message).toMatch(/^invalid YAML: /);
  });

  it('a badly indented line is still reported where it is', () => {
    const issues = issuesOf(yaml('services:', '  orders:', '    endpoints: ["127.0.0.1:8081"]', '   bad', '    tls: none'));
    expect(issues[0]).toMatchObject({ line: 4 });
  });
});

describe('interpolation', () => {
  it.each([
    ['${A:-${B}}', { B: 'b' }, 'b'],
    ['${A:-${B}}', { A: 'a', B: 'b' }, 'a'],
    ['${A:-${B:-c}}', {}, 'c'],
    ['${A:-x${B:-y}z}/${C:-w}', {}, 'xyz/w'],
    ['${A:-$${B}}', {}, '${B}'],
    ['${A:-}', {}, ''],
  ])('%s with %o is %s', (text, env, value) => {
    expect(interpolate(text, env)).toEqual({ ok: true, value, changed: true });
  });

  it('a nested reference to an unset variable is an error that names it', () => {
    const r = interpolate('${A:-${B}}', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/'B' is not set/);
    expect(interpolate('${A:-${B}', {})).toMatchObject({ ok: false, message: expect.stringMatching(/unclosed/) });
  });

  it('nested defaults work in a file', () => {
    const snap = parseMeshConfig(yaml('services:', '  orders:', '    endpoints: ["${HOST:-${FALLBACK_HOST}}:8081"]'), { env: { FALLBACK_HOST: '127.0.0.2' } });
    expect(snap.config.services.orders!.discovery).toMatchObject({ endpoints: [{ host: '127.0.0.2', port: 8081 }] });
  });

  it('interpolates null-prototype config objects', () => {
    const admin = Object.assign(Object.create(null) as object, { host: '${HOST:-127.0.0.3}' });
    expect(interpolateTree({ admin }, {}).value).toEqual({ admin: { host: '127.0.0.3' } });
    expect(normalizeConfigObject(Object.assign(Object.create(null) as object, { admin }), { env: {} }).config.admin.host).toBe('127.0.0.3');
  });
});
