import { describe, expect, it } from 'vitest';
import { issuesOf, ORDERS, yaml } from './config-test-helpers.js';

interface Case {
  readonly name: string;
  readonly lines: readonly string[];
  /** The dotted key path of the issue. */
  readonly path: string;
  readonly line: number;
  /** The column, or a token on that line whose first character is the column. */
  readonly column?: number;
  readonly token?: string;
  readonly message: string | RegExp;
  readonly env?: Record<string, string>;
  /** Issues expected in all (default 1: the case has exactly one problem). */
  readonly count?: number;
}

const SUBSETS = '    subsets: { v1: { version: v1 }, v2: { version: v2 } }';

const cases: Case[] = [
  // Unknown keys, with did-you-mean, at several depths.
  { name: 'unknown top-level key', lines: ['servces:', '  orders: {}'], path: 'servces', line: 1, column: 1, message: "unknown key 'servces' (did you mean 'services'?)" },
  { name: 'unknown service key', lines: [...ORDERS, '    loadBalncer: p2c-ewma'], path: 'services.orders.loadBalncer', line: 4, column: 5, message: "unknown key 'loadBalncer' (did you mean 'loadBalancer'?)" },
  { name: 'unknown key in a flow map', lines: [...ORDERS, '    retries: { atempts: 3 }'], path: 'services.orders.retries.atempts', line: 4, column: 16, message: "unknown key 'atempts' (did you mean 'attempts'?)" },
  { name: 'unknown key in a route match', lines: [...ORDERS, '    routes:', '      - match: { pth: /a }'], path: 'services.orders.routes[0].match.pth', line: 5, column: 18, message: "unknown key 'pth' (did you mean 'path'?)" },
  { name: 'unknown key in circuitBreaker', lines: [...ORDERS, '    circuitBreaker:', '      resetTimout: 5s'], path: 'services.orders.circuitBreaker.resetTimout', line: 5, column: 7, message: "unknown key 'resetTimout' (did you mean 'resetTimeout'?)" },
  { name: 'unknown key in admin', lines: ['admin:', '  prot: 9464'], path: 'admin.prot', line: 2, column: 3, message: "unknown key 'prot' (did you mean 'port'?)" },
  { name: 'unknown key three levels down', lines: ['telemetry:', '  tracing:', '    sampleRate: 0.5'], path: 'telemetry.tracing.sampleRate', line: 3, column: 5, message: "unknown key 'sampleRate' (did you mean 'sampleRatio'?)" },
  { name: 'unknown key with no close match lists the allowed ones', lines: ['inbound:', '  zzz: 1'], path: 'inbound.zzz', line: 2, column: 3, message: /^unknown key 'zzz' \(allowed: port, host, maxConcurrent, maxQueue, rateLimit, adaptiveConcurrency, timeout, drainTimeout, headersTimeout, requestTimeout, keepAliveTimeout, mtls\)$/ },
  { name: 'unknown key in one identity mode suggests from that mode', lines: ['identity: { mode: files, certFile: a, keyFile: b, caFile: c, keyfile: d }'], path: 'identity.keyfile', line: 1, token: 'keyfile', message: "unknown key 'keyfile' (did you mean 'keyFile'?)" },
  { name: 'misspelt key of an endpoint object replaces "is required"', lines: ['services:', '  orders:', '    endpoints: [{ adress: "127.0.0.1:1" }]'], path: 'services.orders.endpoints[0].adress', line: 3, token: 'adress', message: "unknown key 'adress' (did you mean 'address'?)" },

  // Wrong types.
  { name: 'boolean for a duration', lines: [...ORDERS, '    timeout: true'], path: 'services.orders.timeout', line: 4, column: 14, message: 'expected a number or a string, got true' },
  { name: 'string for a list', lines: ['services:', '  orders:', '    endpoints: "127.0.0.1:8081"'], path: 'services.orders.endpoints', line: 3, column: 16, message: "expected a list, got '127.0.0.1:8081'" },
  { name: 'list for a map', lines: ['services: [orders]'], path: 'services', line: 1, column: 11, message: 'expected a map, got a list' },
  { name: 'fraction for an integer', lines: [...ORDERS, '    connections: 1.5'], path: 'services.orders.connections', line: 4, column: 18, message: 'expected an integer, got 1.5' },
  { name: 'string for a boolean', lines: ['telemetry: { accessLog: "yes" }'], path: 'telemetry.accessLog', line: 1, token: '"yes"', message: "expected true or false or a map, got 'yes'" },
  { name: 'number for a block', lines: [...ORDERS, '    retries: 3'], path: 'services.orders.retries', line: 4, column: 14, message: 'expected a map, got 3' },
  { name: 'a list as the whole file', lines: ['- orders'], path: '', line: 1, column: 1, message: 'expected a map, got a list' },
  { name: 'an empty block', lines: ['services:'], path: 'services', line: 1, column: 1, message: 'expected a map, got null (an empty value)' },
  { name: 'missing required key', lines: [...ORDERS, '    concurrency: {}'], path: 'services.orders.concurrency.maxInFlight', line: 4, column: 18, message: "'maxInFlight' is required" },

  // Durations.
  { name: 'duration with a word unit', lines: [...ORDERS, '    timeout: 5 seconds'], path: 'services.orders.timeout', line: 4, column: 14, message: /^invalid duration "5 seconds": use a number with a unit: 250ms, 2s/ },
  { name: 'negative duration', lines: [...ORDERS, '    circuitBreaker: { resetTimeout: -1s }'], path: 'services.orders.circuitBreaker.resetTimeout', line: 4, token: '-1s', message: /^invalid duration "-1s"/ },
  { name: 'zero timeout', lines: [...ORDERS, '    timeout: 0s'], path: 'services.orders.timeout', line: 4, column: 14, message: 'must be longer than 0' },
  { name: 'bad duration deep in a route', lines: [...ORDERS, '    routes:', '      - hedge: { delay: fast }'], path: 'services.orders.routes[0].hedge.delay', line: 5, token: 'fast', message: /^invalid duration "fast"/ },

  // Routes: weights and subsets.
  {
    name: 'weights that do not add up to 100',
    lines: [...ORDERS, SUBSETS, '    routes:', '      - backends:', '          - { subset: v1, weight: 60 }', '          - { subset: v2, weight: 30 }'],
    path: 'services.orders.routes[0].backends',
    line: 7,
    column: 11,
    message: 'backend weights add up to 90, not 100',
  },
  {
    name: 'a missing weight among several backends',
    lines: [...ORDERS, SUBSETS, '    routes:', '      - backends:', '          - { subset: v1, weight: 60 }', '          - { subset: v2 }'],
    path: 'services.orders.routes[0].backends[1]',
    line: 8,
    column: 13,
    message: 'a weight is needed when a route has several backends',
  },
  { name: 'a lone backend with a partial weight', lines: [...ORDERS, SUBSETS, '    routes:', '      - backends: [{ subset: v1, weight: 50 }]'], path: 'services.orders.routes[0].backends[0].weight', line: 6, token: '50', message: "a route's only backend takes all its traffic: weight must be 100 or left out, got 50" },
  { name: 'a backend naming an undefined subset', lines: [...ORDERS, SUBSETS, '    routes:', '      - backends: [{ subset: v3 }]'], path: 'services.orders.routes[0].backends[0].subset', line: 6, token: 'v3', message: /^subset 'v3' is not defined: .* \(defined: v1, v2\)$/ },
  { name: 'a mirror naming an undefined subset', lines: [...ORDERS, '    routes:', '      - mirror: { subset: canary, percent: 5 }'], path: 'services.orders.routes[0].mirror.subset', line: 5, token: 'canary', message: /^subset 'canary' is not defined/ },
  { name: 'a route with an empty backends list', lines: [...ORDERS, '    routes:', '      - backends: []'], path: 'services.orders.routes[0].backends', line: 5, token: '[]', message: 'a route needs at least one backend (omit backends for all endpoints)' },

  // Endpoints.
  { name: 'endpoint without a port', lines: ['services:', '  orders:', '    endpoints: ["localhost"]'], path: 'services.orders.endpoints[0]', line: 3, column: 17, message: "expected 'host:port', got 'localhost'" },
  { name: 'endpoint port 0', lines: ['services:', '  orders:', '    endpoints: ["127.0.0.1:0"]'], path: 'services.orders.endpoints[0]', line: 3, column: 17, message: 'port 0 is out of range 1..65535' },
  { name: 'endpoint port above 65535', lines: ['services:', '  orders:', '    endpoints: ["127.0.0.1:8081", "10.0.0.1:70000"]'], path: 'services.orders.endpoints[1]', line: 3, token: '"10.0.0.1:70000"', message: 'port 70000 is out of range 1..65535' },
  { name: 'IPv6 endpoint without brackets', lines: ['services:', '  orders:', '    endpoints: ["::1:8080"]'], path: 'services.orders.endpoints[0]', line: 3, column: 17, message: "IPv6 addresses go in brackets: '[::1]:8080'" },
  { name: 'endpoint object with a bad address', lines: ['services:', '  orders:', '    endpoints: [{ address: "orders", weight: 2 }]'], path: 'services.orders.endpoints[0].address', line: 3, token: '"orders"', message: "expected 'host:port', got 'orders'" },
  { name: 'duplicate endpoints', lines: ['services:', '  orders:', '    endpoints: ["127.0.0.1:8081", "127.0.0.1:8081"]'], path: 'services.orders.endpoints[1]', line: 3, column: 35, message: 'duplicate endpoint 127.0.0.1:8081 (already endpoints[0])' },
  { name: 'duplicate endpoints differing in host case', lines: ['services:', '  orders:', '    endpoints: ["Orders.local:80", "orders.local:80"]'], path: 'services.orders.endpoints[1]', line: 3, column: 36, message: /^duplicate endpoint orders.local:80/ },

  // Duplicate keys.
  {
    name: 'a service defined twice',
    lines: ['services:', '  orders:', '    endpoints: ["127.0.0.1:8081"]', '  orders:', '    endpoints: ["127.0.0.1:8082"]'],
    path: 'services.orders',
    line: 4,
    column: 3,
    message: "duplicate key 'orders'",
  },
  { name: 'a top-level key given twice', lines: ['admin: { port: 1 }', 'admin: { port: 2 }'], path: 'admin', line: 2, column: 1, message: "duplicate key 'admin'" },

  // Percentages and ratios.
  { name: 'fault percent above 100', lines: [...ORDERS, '    routes:', '      - fault: { delay: { percent: 150, duration: 1s } }'], path: 'services.orders.routes[0].fault.delay.percent', line: 5, token: '150', message: 'must be a percentage from 0 to 100, got 150' },
  { name: 'negative mirror percent', lines: [...ORDERS, '    routes:', '      - mirror: { percent: -1 }'], path: 'services.orders.routes[0].mirror.percent', line: 5, token: '-1', message: 'must be a percentage from 0 to 100, got -1' },
  { name: 'maxEjectionPercent above 100', lines: [...ORDERS, '    outlierDetection: { maxEjectionPercent: 101 }'], path: 'services.orders.outlierDetection.maxEjectionPercent', line: 4, token: '101', message: 'must be a percentage from 0 to 100, got 101' },
  { name: 'retry budget below 0', lines: [...ORDERS, '    retries: { attempts: 2, budget: -0.1 }'], path: 'services.orders.retries.budget', line: 4, token: '-0.1', message: 'retry budget must be from 0 to 1, got -0.1' },
  { name: 'retry budget above 1', lines: [...ORDERS, '    retries:', '      budget: 1.5'], path: 'services.orders.retries.budget', line: 5, column: 15, message: 'retry budget must be from 0 to 1, got 1.5' },

  // Idempotency.
  {
    name: 'retries on a POST route without retryNonIdempotent',
    lines: [...ORDERS, '    routes:', '      - match: { methods: [GET, POST] }', '        retries: { attempts: 3 }'],
    path: 'services.orders.routes[0].retries.attempts',
    line: 6,
    token: '3',
    message: 'retries (3 attempts) on a route that matches POST: set retryNonIdempotent: true if replaying it is safe',
  },
  {
    name: 'inherited attempts on a PATCH route with its own retries block',
    lines: [...ORDERS, '    retries: { attempts: 3 }', '    routes:', '      - match: { method: PATCH }', '        retries: { budget: 0.1 }'],
    path: 'services.orders.routes[0].retries',
    line: 7,
    token: '{ budget',
    message: /^retries \(3 attempts\) on a route that matches PATCH/,
  },
  { name: 'hedging a POST route', lines: [...ORDERS, '    routes:', '      - match: { method: POST }', '        hedge: { delay: 50ms }'], path: 'services.orders.routes[0].hedge', line: 6, column: 9, message: /^hedging is only for idempotent requests, but the route matches POST/ },
  { name: 'hedging a route that matches every method', lines: [...ORDERS, '    routes:', '      - hedge: { delay: 50ms }'], path: 'services.orders.routes[0].hedge', line: 5, column: 9, message: /the route matches every method/ },

  // Interpolation.
  { name: 'unset ${VAR}', lines: [...ORDERS, '    timeout: ${ORDERS_TIMEOUT}'], path: 'services.orders.timeout', line: 4, column: 14, message: "environment variable 'ORDERS_TIMEOUT' is not set (write ${ORDERS_TIMEOUT:-default} to give a default)" },
  { name: 'unset ${VAR} in a list item', lines: ['services:', '  orders:', '    endpoints:', '      - 127.0.0.1:8081', '      - ${ORDERS_HOST}:8082'], path: 'services.orders.endpoints[1]', line: 5, column: 9, message: /^environment variable 'ORDERS_HOST' is not set/ },
  { name: 'malformed reference', lines: [...ORDERS, '    timeout: ${1X}'], path: 'services.orders.timeout', line: 4, column: 14, message: "invalid reference '${1X}': use ${NAME} or ${NAME:-default}" },

  // YAML syntax.
  { name: 'tab indentation', lines: ['services:', '\torders: {}'], path: '', line: 2, column: 1, message: 'invalid YAML: Tabs are not allowed as indentation' },
  { name: 'unclosed flow list', lines: ['services:', '  orders:', '    endpoints: ["127.0.0.1:8081"', '    timeout: 1s'], path: 'services.orders.endpoints', line: 3, column: 5, message: /^invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]/ },
  { name: 'compact nested mapping', lines: ['admin: port: 1'], path: 'admin.port', line: 1, column: 8, message: 'invalid YAML: Nested mappings are not allowed in compact mappings' },

  // Enumerations.
  { name: 'bad tls mode', lines: [...ORDERS, '    tls: mtls'], path: 'services.orders.tls', line: 4, column: 10, message: "expected one of mesh, none, got 'mtls'" },
  { name: 'bad load balancer', lines: [...ORDERS, '    loadBalancer: p2c-ewm'], path: 'services.orders.loadBalancer', line: 4, column: 19, message: "expected one of p2c-ewma, least-request, round-robin, ring-hash, got 'p2c-ewm' (did you mean 'p2c-ewma'?)" },
  { name: 'bad load balancer kind in object form', lines: [...ORDERS, '    loadBalancer: { kind: random }'], path: 'services.orders.loadBalancer.kind', line: 4, token: 'random', message: /^expected one of p2c-ewma, .* got 'random'$/ },
  { name: 'bad outbound mode', lines: ['outbound: block'], path: 'outbound', line: 1, column: 11, message: "expected one of passthrough, deny, got 'block'" },
  { name: 'bad identity mode', lines: ['identity: { mode: prod }'], path: 'identity.mode', line: 1, token: 'prod', message: "expected one of dev, control, files, none, got 'prod'" },
  { name: 'identity without a mode', lines: ['identity: { dir: certs }'], path: 'identity.mode', line: 1, column: 11, message: "'mode' is required: one of dev, control, files, none" },
  { name: 'bad dns record type', lines: ['services:', '  orders:', '    discovery: { dns: orders.svc, port: 80, type: MX }'], path: 'services.orders.discovery.type', line: 3, token: 'MX', message: "expected one of A, AAAA, ANY, SRV, got 'MX'" },
  { name: 'lower-case method', lines: [...ORDERS, '    routes:', '      - match: { methods: [get] }'], path: 'services.orders.routes[0].match.methods[0]', line: 5, token: 'get', message: /got 'get' \(did you mean 'GET'\?\)$/ },
  { name: 'retry on a status outside 400..599', lines: [...ORDERS, '    retries: { attempts: 2, on: [600] }'], path: 'services.orders.retries.on[0]', line: 4, token: '600', message: 'a status to retry on must be from 400 to 599, got 600' },

  // Names.
  { name: 'service name that is not a DNS name', lines: ['services:', '  Orders_v1:', '    endpoints: ["127.0.0.1:8081"]'], path: 'services.Orders_v1', line: 2, column: 3, message: /^invalid service name "Orders_v1": use a DNS name/ },
  { name: 'authorization for an invalid service name', lines: ['authorization:', '  Orders: []'], path: 'authorization.Orders', line: 2, column: 3, message: /^invalid service name "Orders"/ },
  { name: 'authorization peer that is not a SPIFFE ID', lines: ['authorization:', '  orders:', '    - from: [checkout]'], path: 'authorization.orders[0].from[0]', line: 3, token: 'checkout', message: /expected a SPIFFE ID \(spiffe:\/\/<trust-domain>\/<path>\), one ending in \/\* for a prefix, or '\*'$/ },
  { name: 'authorization path without a leading slash', lines: ['authorization:', '  orders:', '    - { from: ["*"], paths: [api/*] }'], path: 'authorization.orders[0].paths[0]', line: 3, token: 'api/*', message: /^invalid path "api\/\*": must start with '\/'/ },

  // Discovery and cross-field rules.
  { name: 'both endpoints and discovery', lines: [...ORDERS, '    discovery: { dns: orders.svc, port: 80 }'], path: 'services.orders.discovery', line: 4, column: 5, message: 'give either endpoints or discovery, not both' },
  { name: 'SRV discovery with a port', lines: ['services:', '  orders:', '    discovery: { dns: _http._tcp.orders.svc, port: 80 }'], path: 'services.orders.discovery.port', line: 3, token: 'port', message: 'SRV records carry their own ports: remove port' },
  { name: 'A discovery without a port', lines: ['services:', '  orders:', '    discovery: { dns: orders.svc }'], path: 'services.orders.discovery', line: 3, column: 16, message: 'port is required for ANY lookups (only SRV records carry ports)' },
  { name: 'control discovery without a control daemon', lines: ['services:', '  orders:', '    discovery: { control: true }'], path: 'services.orders.discovery.control', line: 3, token: 'true', message: 'control discovery needs control: { url: … } at the top level' },
  { name: 'a service with no way to find endpoints', lines: ['services:', '  orders:', '    tls: none'], path: 'services.orders', line: 2, column: 3, message: /^no endpoints and no discovery/ },
  { name: 'identity from control without a control daemon', lines: ['identity: { mode: control }'], path: 'identity.mode', line: 1, token: 'control', message: 'identity mode control needs control: { url: … } at the top level' },
  { name: 'control url that is not http', lines: ['control: { url: "ftp://cp" }'], path: 'control.url', line: 1, token: '"ftp', message: 'invalid URL "ftp://cp": expected http:// or https://' },
  { name: 'ring-hash knob on another balancer', lines: [...ORDERS, '    loadBalancer: { hashHeader: x-user }'], path: 'services.orders.loadBalancer.hashHeader', line: 4, token: 'hashHeader', message: 'hashHeader applies to kind: ring-hash, not p2c-ewma' },
  { name: 'perTryTimeout longer than timeout', lines: [...ORDERS, '    timeout: 1s', '    perTryTimeout: 2s'], path: 'services.orders.perTryTimeout', line: 5, column: 20, message: 'perTryTimeout (2000ms) is longer than the timeout (1000ms), so no retry could run' },
  { name: 'backoff max shorter than base', lines: [...ORDERS, '    retries: { backoff: { base: 100ms, max: 50ms } }'], path: 'services.orders.retries.backoff.max', line: 4, token: '50ms', message: 'backoff max (50ms) is shorter than base (100ms)' },
  { name: 'header match naming two kinds', lines: [...ORDERS, '    routes:', '      - match: { headers: { x-user: { exact: a, prefix: b } } }'], path: 'services.orders.routes[0].match.headers.x-user', line: 5, token: '{ exact', message: 'give only one of exact, prefix' },
  { name: 'invalid path regex', lines: [...ORDERS, '    routes:', '      - match: { path: { regex: "a(" } }'], path: 'services.orders.routes[0].match.path.regex', line: 5, token: '"a("', message: /^invalid regex "a\(": missing closing \)/ },
  { name: 'both method and methods', lines: [...ORDERS, '    routes:', '      - match: { method: GET, methods: [GET] }'], path: 'services.orders.routes[0].match.method', line: 5, token: 'method:', message: 'give method or methods, not both' },
  { name: 'admin port out of range', lines: ['admin: { port: 99999 }'], path: 'admin.port', line: 1, token: '99999', message: 'must be at most 65535' },
  { name: 'etcd store without etcd endpoints', lines: ['control: { url: "http://cp:7070", store: etcd }'], path: 'control.store', line: 1, token: 'etcd', message: 'store etcd needs control.etcd: { endpoints: [...] }' },
];

describe('malformed mesh.yaml', () => {
  it('has at least 45 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
  });

  it.each(cases)('$name', (c) => {
    const issues = issuesOf(yaml(...c.lines), c.env);
    expect(issues, JSON.stringify(issues, null, 2)).toHaveLength(c.count ?? 1);
    const issue = issues.find((i) => i.path === c.path);
    expect(issue, `no issue at '${c.path}' in ${JSON.stringify(issues, null, 2)}`).toBeDefined();
    expect(issue!.file).toBe('mesh.yaml');
    expect(issue!.line).toBe(c.line);
    const column = c.token === undefined ? c.column : c.lines[c.line - 1]!.indexOf(c.token) + 1;
    if (c.token !== undefined) expect(column, `token '${c.token}' not on line ${c.line}`).toBeGreaterThan(0);
    if (column !== undefined) expect(issue!.column).toBe(column);
    if (typeof c.message === 'string') expect(issue!.message).toBe(c.message);
    else expect(issue!.message).toMatch(c.message);
  });
});
