import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, formatConfigIssue } from '../../../src/core/index.js';
import { normalizeConfigObject, parseMeshConfig } from '../../../src/config/load.js';
import { DEFAULT_RETRIES } from '../../../src/config/defaults.js';
import { issuesOf, yaml } from './config-test-helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../fixtures/config/design-example.yaml', import.meta.url));
const exampleText = readFileSync(EXAMPLE, 'utf8');

describe('parseMeshConfig on valid files', () => {
  it("normalises DESIGN.md's example", () => {
    const snap = parseMeshConfig(exampleText, { file: 'mesh.yaml', env: {} });
    const c = snap.config;
    expect(snap.source).toBe('mesh.yaml');
    expect(snap.version).toBe(1);
    expect([c.mesh, c.trustDomain, c.outbound]).toEqual(['shop', 'shop.local', 'passthrough']);
    expect(c.identity).toEqual({ mode: 'dev', dir: '.inmesh', certTtl: 86_400_000 });
    expect(c.control).toEqual({
      url: 'https://127.0.0.1:7070',
      caFile: undefined,
      cacheDir: '.inmesh/cache',
      instance: { version: undefined, labels: {}, lease: 10_000 },
      store: 'memory',
      etcd: undefined,
    });
    const orders = c.services.orders!;
    expect(orders.discovery).toEqual({
      kind: 'static',
      endpoints: [
        { address: '127.0.0.1:8081', host: '127.0.0.1', port: 8081, labels: {}, weight: 1 },
        { address: '127.0.0.1:8082', host: '127.0.0.1', port: 8082, labels: {}, weight: 1 },
      ],
    });
    expect(orders.timeout).toBe(2000);
    expect(orders.retries).toEqual({ ...DEFAULT_RETRIES, attempts: 3, budget: 0.2, on: ['connect-failure', 'reset', 503] });
    expect(orders.circuitBreaker).toEqual({ errorThresholdPercentage: 50, volumeThreshold: 20, resetTimeout: 10_000, rollingCountTimeout: 10_000 });
    expect(orders.outlierDetection).toMatchObject({ consecutive5xx: 5, baseEjectionTime: 30_000, maxEjectionPercent: 50, interval: 10_000 });
    expect(orders.subsets).toEqual({ v1: { version: 'v1' }, v2: { version: 'v2' } });
    expect(orders.routes.map((r) => [r.name, r.match.headers, r.backends])).toEqual([
      ['route-0', { 'x-canary': { exact: '1' } }, [{ subset: 'v2', weight: 100 }]],
      ['route-1', {}, [{ subset: 'v1', weight: 90 }, { subset: 'v2', weight: 10 }]],
    ]);
    expect(c.authorization).toEqual({ orders: [{ from: ['spiffe://shop.local/svc/checkout'], methods: ['GET', 'POST'], paths: ['/api/*'], action: 'allow', principals: undefined, claims: undefined }] });
    expect(c.admin).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(c.telemetry).toEqual({
      tracing: { exporter: 'otlp', endpoint: undefined, sampleRatio: 0.1, propagators: ['tracecontext', 'baggage'] },
      accessLog: { sampleRatio: 1, headers: [], inbound: true, outbound: true, path: undefined },
      stats: { window: 60_000 },
    });
  });

  it('applies every default to a minimal file', () => {
    const c = parseMeshConfig(yaml('services:', '  orders:', '    endpoints: ["[::1]:8080"]')).config;
    expect(c.services.orders).toEqual({
      name: 'orders',
      discovery: { kind: 'static', endpoints: [{ address: '[::1]:8080', host: '::1', port: 8080, labels: {}, weight: 1 }] },
      tls: 'mesh',
      loadBalancer: { kind: 'p2c-ewma', hashHeader: undefined, virtualNodes: 100, decay: 10_000 },
      timeout: undefined,
      perTryTimeout: undefined,
      retries: {
        attempts: 1,
        budget: 0.2,
        minRetriesPerSecond: 10,
        on: ['connect-failure', 'refused-stream'],
        backoff: { base: 25, max: 250 },
        retryNonIdempotent: false,
        maxBodyBytes: 65_536,
      },
      circuitBreaker: undefined,
      // On by default, so that a dead endpoint is ejected rather than drawing traffic.
      outlierDetection: {
        consecutive5xx: 5,
        consecutiveConnectFailures: 5,
        interval: 10_000,
        baseEjectionTime: 30_000,
        maxEjectionPercent: 10,
        successRateStdevFactor: 1.9,
        successRateMinimumHosts: 5,
        successRateRequestVolume: 100,
      },
      concurrency: undefined,
      subsets: {},
      routes: [],
      connections: 64,
      http2: false,
      idleTimeout: 60_000,
    });
    expect(c).toMatchObject({
      mesh: 'default',
      trustDomain: 'cluster.local',
      outbound: 'passthrough',
      identity: { mode: 'dev', dir: '.inmesh', certTtl: 86_400_000 },
      control: undefined,
      authorization: {},
      admin: { port: undefined, host: '127.0.0.1' },
      inbound: { port: 0, host: '127.0.0.1', maxConcurrent: undefined, maxQueue: 0, rateLimit: undefined, adaptiveConcurrency: undefined, timeout: undefined, drainTimeout: 10_000, headersTimeout: 10_000, requestTimeout: 300_000, keepAliveTimeout: 5_000 },
      telemetry: { tracing: { exporter: 'none', endpoint: undefined, sampleRatio: 0.1, propagators: ['tracecontext', 'baggage'] }, accessLog: undefined, stats: { window: 60_000 } },
    });
  });

  it('turns outlier detection off only when told to', () => {
    const c = parseMeshConfig(yaml('services:', '  orders:', '    endpoints: ["127.0.0.1:1"]', '    outlierDetection: false')).config;
    expect(c.services.orders!.outlierDetection).toBeUndefined();
  });

  it('accepts an empty file', () => {
    expect(parseMeshConfig('# nothing yet\n').config.services).toEqual({});
  });

  it('deep-freezes the snapshot', () => {
    const snap = parseMeshConfig(exampleText);
    const orders = snap.config.services.orders!;
    expect(Object.isFrozen(snap)).toBe(true);
    expect(() => {
      (orders.retries as { attempts: number }).attempts = 5;
    }).toThrow(TypeError);
    expect(() => {
      (orders.routes as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (orders.subsets.v1 as Record<string, string>).zone = 'a';
    }).toThrow(TypeError);
    expect(() => {
      (snap.config.services as Record<string, unknown>).payments = {};
    }).toThrow(TypeError);
    expect(orders.retries.attempts).toBe(3);
  });

  it('converts durations and labels', () => {
    const c = parseMeshConfig(
      yaml(
        'services:',
        '  orders:',
        '    endpoints: [{ address: "10.0.0.1:80", labels: { version: 2, canary: true }, weight: 3 }]',
        '    timeout: 1.5s',
        '    perTryTimeout: 250',
        '    circuitBreaker: { resetTimeout: 1m, rollingCountTimeout: 1h }',
      ),
    ).config.services.orders!;
    expect([c.timeout, c.perTryTimeout, c.circuitBreaker?.resetTimeout, c.circuitBreaker?.rollingCountTimeout]).toEqual([1500, 250, 60_000, 3_600_000]);
    expect(c.discovery.kind === 'static' && c.discovery.endpoints[0]).toEqual({ address: '10.0.0.1:80', host: '10.0.0.1', port: 80, labels: { version: '2', canary: 'true' }, weight: 3 });
  });

  it('defines a subset implicitly from a static endpoint version label', () => {
    const c = parseMeshConfig(
      yaml(
        'services:',
        '  orders:',
        '    endpoints: [{ address: "10.0.0.1:80", labels: { version: v1 } }, { address: "10.0.0.2:80", labels: { version: v2 } }]',
        '    subsets: { v2: { version: v2, zone: a } }',
        '    routes:',
        '      - backends: [{ subset: v1, weight: 50 }, { subset: v2, weight: 50 }]',
      ),
    ).config.services.orders!;
    // An explicit definition wins over the implicit one of the same name.
    expect(c.subsets).toEqual({ v1: { version: 'v1' }, v2: { version: 'v2', zone: 'a' } });
  });

  it('normalises discovery: dns, SRV by naming convention, and control by default when a control daemon is set', () => {
    const c = parseMeshConfig(
      yaml(
        'control: { url: "https://cp:7070" }',
        'services:',
        '  orders:',
        '    discovery: { dns: orders.shop.svc.cluster.local, port: 8080, interval: 5s }',
        '  payments:',
        '    discovery: { dns: _http._tcp.payments.shop.svc }',
        '  billing: {}',
        '  stock:',
        '    discovery: { control: true }',
      ),
    ).config;
    expect(c.services.orders!.discovery).toEqual({ kind: 'dns', name: 'orders.shop.svc.cluster.local', port: 8080, type: 'ANY', interval: 5000, labels: {} });
    expect(c.services.payments!.discovery).toMatchObject({ kind: 'dns', type: 'SRV', port: undefined, interval: 10_000 });
    expect(c.services.billing!.discovery).toEqual({ kind: 'control' });
    expect(c.services.stock!.discovery).toEqual({ kind: 'control' });
  });

  it('normalises routes: path shorthands, header case, method, retries layered over the service, hedge and mirror', () => {
    const c = parseMeshConfig(
      yaml(
        'services:',
        '  orders:',
        '    endpoints: ["10.0.0.1:80"]',
        '    retries: { attempts: 2, budget: 0.1, on: [reset] }',
        '    routes:',
        '      - name: api',
        '        match: { path: /api/*, method: GET, headers: { X-User: { prefix: vip- }, X-Debug: { present: true } } }',
        '        retries: { attempts: 4 }',
        '        hedge: { delay: 30ms }',
        '        timeout: 3s',
        '      - match: { path: /exact, methods: [POST] }',
        '        retries: { attempts: 3 }',
        '        retryNonIdempotent: true',
        '        mirror: { percent: 5 }',
        '        fault: { abort: { status: 503, percent: 1 }, delay: { duration: 100ms } }',
      ),
    ).config.services.orders!;
    const [api, post] = c.routes;
    expect(api!.name).toBe('api');
    expect(api!.match).toEqual({ path: { prefix: '/api/' }, methods: ['GET'], headers: { 'x-user': { prefix: 'vip-' }, 'x-debug': { present: true } } });
    expect(api!.retries).toEqual({ ...c.retries, attempts: 4 });
    expect(api!.retries!.budget).toBe(0.1);
    expect(api!.hedge).toEqual({ delay: 30, maxAttempts: 2 });
    expect(api!.timeout).toBe(3000);
    expect(post!.name).toBe('route-1');
    expect(post!.match.path).toEqual({ exact: '/exact' });
    expect(post!.retries).toMatchObject({ attempts: 3, retryNonIdempotent: true, on: ['reset'] });
    expect(post!.mirror).toEqual({ subset: undefined, percent: 5 });
    expect(post!.fault).toEqual({ abort: { status: 503, percent: 1 }, delay: { duration: 100, percent: 100 } });
    // A route without its own retries block inherits the service's at run time.
    expect(c.routes.map((r) => r.perTryTimeout)).toEqual([undefined, undefined]);
  });

  it('normalises a ring-hash balancer and lower-cases its header', () => {
    const lb = parseMeshConfig(yaml('services:', '  orders:', '    endpoints: ["10.0.0.1:80"]', '    loadBalancer: { kind: ring-hash, hashHeader: X-User, virtualNodes: 50 }')).config.services.orders!.loadBalancer;
    expect(lb).toEqual({ kind: 'ring-hash', hashHeader: 'x-user', virtualNodes: 50, decay: 10_000 });
  });

  it('normalises telemetry: propagators deduplicated, an access log map with lower-cased headers, the stats window', () => {
    const t = parseMeshConfig(
      yaml(
        'telemetry:',
        '  tracing: { exporter: console, sampleRatio: 1, propagators: [b3, tracecontext, b3] }',
        '  accessLog: { sampleRatio: 0.25, headers: [X-Request-Id, x-request-id, User-Agent], inbound: false, path: /tmp/access.log }',
        '  stats: { window: 10s }',
      ),
    ).config.telemetry;
    expect(t.tracing.propagators).toEqual(['b3', 'tracecontext']);
    expect(t.accessLog).toEqual({ sampleRatio: 0.25, headers: ['x-request-id', 'user-agent'], inbound: false, outbound: true, path: '/tmp/access.log' });
    expect(t.stats.window).toBe(10_000);
  });

  it('refuses an endpoint for the console exporter and an unknown propagator', () => {
    const issues = issuesOf(yaml('telemetry:', '  tracing: { exporter: console, endpoint: "http://127.0.0.1:4318", propagators: [jaeger] }'));
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['telemetry.tracing.propagators[0]']));
    const endpoint = issuesOf(yaml('telemetry:', '  tracing: { exporter: console, endpoint: "http://127.0.0.1:4318" }'));
    expect(endpoint.map((i) => [i.path, i.line])).toEqual([['telemetry.tracing.endpoint', 2]]);
    expect(endpoint[0]!.message).toMatch(/console exporter/);
  });
});

describe('interpolation', () => {
  const env = { ORDERS_HOST: '10.1.2.3', ADMIN_PORT: '9100', EMPTY: '' };

  it('substitutes variables and defaults, and types plain scalars', () => {
    const c = parseMeshConfig(
      yaml(
        'services:',
        '  orders:',
        '    endpoints: ["${ORDERS_HOST}:${ORDERS_PORT:-8081}"]',
        '    timeout: ${ORDERS_TIMEOUT:-2s}',
        '    routes:',
        '      - match: { headers: { x-template: "$${not.a.var}", x-empty: "${EMPTY:-fallback}" } }',
        'admin:',
        '  port: ${ADMIN_PORT}',
        'mesh: "${MESH:-shop}"',
      ),
      { env },
    ).config;
    const orders = c.services.orders!;
    expect(orders.discovery.kind === 'static' && orders.discovery.endpoints[0]!.address).toBe('10.1.2.3:8081');
    expect(orders.timeout).toBe(2000);
    expect(orders.routes[0]!.match.headers).toEqual({ 'x-template': { exact: '${not.a.var}' }, 'x-empty': { exact: 'fallback' } });
    expect(c.admin.port).toBe(9100);
    expect(c.mesh).toBe('shop');
  });

  it('keeps a quoted interpolation a string', () => {
    const issues = issuesOf(yaml('admin:', '  port: "${ADMIN_PORT}"'), { ADMIN_PORT: '9100' });
    expect(issues).toEqual([{ file: 'mesh.yaml', line: 2, column: 9, path: 'admin.port', message: "expected a number, got '9100'" }]);
  });

  it('reads process.env when no env is given', () => {
    process.env.INMESH_TEST_PORT = '8089';
    try {
      const c = parseMeshConfig(yaml('services:', '  orders:', '    endpoints: ["127.0.0.1:${INMESH_TEST_PORT}"]')).config;
      expect(c.services.orders!.discovery).toMatchObject({ endpoints: [{ port: 8089 }] });
    } finally {
      delete process.env.INMESH_TEST_PORT;
    }
  });
});

describe('service hashes', () => {
  const base = ['services:', '  orders:', '    endpoints: ["10.0.0.1:80"]', '    timeout: 2s', '  payments:', '    endpoints: ["10.0.0.2:80"]'];

  it('are stable across parses, key order and comments', () => {
    const a = parseMeshConfig(yaml(...base));
    const b = parseMeshConfig(yaml('# reordered', 'services:', '  payments:', '    endpoints: ["10.0.0.2:80"]', '  orders:', '    timeout: 2000', '    endpoints: ["10.0.0.1:80"]'));
    expect(a.serviceHashes.orders).toMatch(/^[0-9a-f]{40}$/);
    expect(b.serviceHashes).toEqual(a.serviceHashes);
  });

  it('change only for the edited service', () => {
    const a = parseMeshConfig(yaml(...base));
    const b = parseMeshConfig(yaml(...base.map((l) => l.replace('timeout: 2s', 'timeout: 3s'))));
    expect(b.serviceHashes.orders).not.toBe(a.serviceHashes.orders);
    expect(b.serviceHashes.payments).toBe(a.serviceHashes.payments);
  });
});

describe('normalizeConfigObject', () => {
  it('gives the same config as the equivalent YAML', () => {
    const fromYaml = parseMeshConfig(exampleText).config;
    const obj = {
      mesh: 'shop',
      trustDomain: 'shop.local',
      identity: { mode: 'dev' },
      control: { url: 'https://127.0.0.1:7070' },
      services: {
        orders: {
          endpoints: ['127.0.0.1:8081', '127.0.0.1:8082'],
          tls: 'mesh',
          loadBalancer: 'p2c-ewma',
          timeout: '2s',
          retries: { attempts: 3, budget: 0.2, on: ['connect-failure', 'reset', 503] },
          circuitBreaker: { errorThresholdPercentage: 50, volumeThreshold: 20, resetTimeout: '10s' },
          outlierDetection: { consecutive5xx: 5, baseEjectionTime: '30s', maxEjectionPercent: 50 },
          subsets: { v1: { version: 'v1' }, v2: { version: 'v2' } },
          routes: [{ match: { headers: { 'x-canary': '1' } }, backends: [{ subset: 'v2' }] }, { backends: [{ subset: 'v1', weight: 90 }, { subset: 'v2', weight: 10 }] }],
        },
      },
      authorization: { orders: [{ from: ['spiffe://shop.local/svc/checkout'], methods: ['GET', 'POST'], paths: ['/api/*'] }] },
      admin: { port: 9464 },
      telemetry: { tracing: { exporter: 'otlp', sampleRatio: 0.1 }, accessLog: true },
    };
    const snap = normalizeConfigObject(obj, { env: {} });
    expect(snap.config).toEqual(fromYaml);
    expect(snap.source).toBe('object');
    expect(Object.isFrozen(snap.config.services.orders!.routes[1]!.backends)).toBe(true);
  });

  it('reports the same problems, with key paths and no positions', () => {
    let error: unknown;
    try {
      normalizeConfigObject({ services: { orders: { endpoints: ['orders', '${HOST}:80'], loadBalncer: 'p2c-ewma', retries: { budget: 2 } } } }, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const issues = (error as ConfigValidationError).issues;
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath).toEqual({
      'services.orders.endpoints[0]': { path: 'services.orders.endpoints[0]', message: "expected 'host:port', got 'orders'" },
      'services.orders.endpoints[1]': { path: 'services.orders.endpoints[1]', message: "environment variable 'HOST' is not set (write ${HOST:-default} to give a default)" },
      'services.orders.loadBalncer': { path: 'services.orders.loadBalncer', message: "unknown key 'loadBalncer' (did you mean 'loadBalancer'?)" },
      'services.orders.retries.budget': { path: 'services.orders.retries.budget', message: 'retry budget must be from 0 to 1, got 2' },
    });
    expect(issues).toHaveLength(4);
    expect(formatConfigIssue(byPath['services.orders.loadBalncer']!)).toBe("services.orders.loadBalncer: unknown key 'loadBalncer' (did you mean 'loadBalancer'?)");
  });
});

describe('a file with several problems', () => {
  it('lists every one, in file order, in one ConfigValidationError', () => {
    const text = yaml(
      'outbound: block', //                                          1
      'services:', //                                                2
      '  orders:', //                                                3
      '    endpoints: ["127.0.0.1:8081", "127.0.0.1:99999"]', //     4
      '    loadBalncer: p2c-ewma', //                                5
      '    timeout: ${ORDERS_TIMEOUT}', //                           6
      '  payments:', //                                              7
      '    endpoints: ["127.0.0.1:9000"]', //                        8
      '    routes:', //                                              9
      '      - backends: [{ subset: v1, weight: 80 }, { weight: 10 }]', // 10
      '  payments:', //                                              11
      '    endpoints: ["127.0.0.1:9001"]', //                        12
      '    routes:', //                                              13
      '      - match: { method: POST }', //                          14
      '        retries: { attempts: 2 }', //                         15
      'admin: { port: 70000 }', //                                   16
    );
    let error: ConfigValidationError | undefined;
    try {
      parseMeshConfig(text, { file: 'mesh.yaml', env: {} });
    } catch (e) {
      error = e as ConfigValidationError;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error!.code).toBe('MESH_ERR_CONFIG_INVALID');
    expect(error!.issues.map(formatConfigIssue)).toEqual([
      "mesh.yaml:1:11 outbound: expected one of passthrough, deny, got 'block'",
      'mesh.yaml:4:35 services.orders.endpoints[1]: port 99999 is out of range 1..65535',
      "mesh.yaml:5:5 services.orders.loadBalncer: unknown key 'loadBalncer' (did you mean 'loadBalancer'?)",
      "mesh.yaml:6:14 services.orders.timeout: environment variable 'ORDERS_TIMEOUT' is not set (write ${ORDERS_TIMEOUT:-default} to give a default)",
      "mesh.yaml:11:3 services.payments: duplicate key 'payments'",
      'mesh.yaml:15:30 services.payments.routes[0].retries.attempts: retries (2 attempts) on a route that matches POST: set retryNonIdempotent: true if replaying it is safe',
      'mesh.yaml:16:16 admin.port: must be at most 65535',
    ]);
    expect(error!.message).toContain('mesh.yaml:5:5 services.orders.loadBalncer');
  });
});
