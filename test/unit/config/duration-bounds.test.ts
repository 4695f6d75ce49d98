import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../../src/core/index.js';
import { normalizeConfigObject, parseMeshConfig } from '../../../src/config/load.js';
import { ORDERS, issuesOf, yaml } from './config-test-helpers.js';

const TIMER_MAX = 2 ** 31 - 1;

/** Every duration key of mesh.yaml, as one line (or block) that sets it to `v`. */
const keys: { path: string; lines: (v: string) => string[]; max: string }[] = [
  { path: 'services.orders.timeout', lines: (v) => [...ORDERS, `    timeout: ${v}`], max: '24h' },
  { path: 'services.orders.perTryTimeout', lines: (v) => [...ORDERS, `    perTryTimeout: ${v}`], max: '24h' },
  { path: 'services.orders.circuitBreaker.resetTimeout', lines: (v) => [...ORDERS, `    circuitBreaker: { resetTimeout: ${v} }`], max: '24h' },
  { path: 'services.orders.circuitBreaker.rollingCountTimeout', lines: (v) => [...ORDERS, `    circuitBreaker: { rollingCountTimeout: ${v} }`], max: '24h' },
  { path: 'services.orders.outlierDetection.interval', lines: (v) => [...ORDERS, `    outlierDetection: { interval: ${v} }`], max: '24h' },
  { path: 'services.orders.outlierDetection.baseEjectionTime', lines: (v) => [...ORDERS, `    outlierDetection: { baseEjectionTime: ${v} }`], max: '24h' },
  { path: 'services.orders.loadBalancer.decay', lines: (v) => [...ORDERS, `    loadBalancer: { decay: ${v} }`], max: '1h' },
  { path: 'services.orders.retries.backoff.base', lines: (v) => [...ORDERS, `    retries: { backoff: { base: ${v} } }`], max: '1h' },
  { path: 'services.orders.retries.backoff.max', lines: (v) => [...ORDERS, `    retries: { backoff: { max: ${v} } }`], max: '1h' },
  { path: 'services.dns.discovery.interval', lines: (v) => ['services:', '  dns:', `    discovery: { dns: orders.svc, port: 80, interval: ${v} }`], max: '24h' },
  { path: 'services.orders.routes[0].timeout', lines: (v) => [...ORDERS, '    routes:', `      - timeout: ${v}`], max: '24h' },
  { path: 'services.orders.routes[0].perTryTimeout', lines: (v) => [...ORDERS, '    routes:', `      - perTryTimeout: ${v}`], max: '24h' },
  { path: 'services.orders.routes[0].hedge.delay', lines: (v) => [...ORDERS, '    routes:', `      - { match: { methods: [GET] }, hedge: { delay: ${v} } }`], max: '1h' },
  { path: 'services.orders.routes[0].fault.delay.duration', lines: (v) => [...ORDERS, '    routes:', `      - fault: { delay: { duration: ${v} } }`], max: '1h' },
  { path: 'inbound.timeout', lines: (v) => [`inbound: { timeout: ${v} }`], max: '24h' },
  { path: 'inbound.drainTimeout', lines: (v) => [`inbound: { drainTimeout: ${v} }`], max: '24h' },
  { path: 'inbound.adaptiveConcurrency.window', lines: (v) => [`inbound: { adaptiveConcurrency: { window: ${v} } }`], max: '1h' },
  { path: 'identity.certTtl', lines: (v) => [`identity: { mode: dev, certTtl: ${v} }`], max: '168h' },
];

describe('duration bounds', () => {
  it.each(keys)('$path: 720h is refused with the key, the limit and the value', ({ path, lines, max }) => {
    const text = yaml(...lines('720h'));
    const issues = issuesOf(text);
    expect(issues, JSON.stringify(issues)).toHaveLength(1);
    const key = path.split('.').pop()!;
    expect(issues[0]).toMatchObject({ file: 'mesh.yaml', path, message: `${key} must be at most ${max}, got 720h` });
    const line = text.split('\n').findIndex((l) => l.includes('720h'));
    expect(issues[0]!.line).toBe(line + 1);
    expect(issues[0]!.column).toBe(text.split('\n')[line]!.indexOf('720h') + 1);
  });

  it.each(keys)('$path: a number of ms past the timer limit is refused, the limit itself accepted', ({ path, lines, max }) => {
    const over = issuesOf(yaml(...lines(String(TIMER_MAX + 1))));
    expect(over.map((i) => [i.path, i.message])).toEqual([[path, `${path.split('.').pop()} must be at most ${max}, got ${TIMER_MAX + 1}ms`]]);
    expect(() => parseMeshConfig(yaml(...lines(max)), { env: {} })).not.toThrow();
  });

  it('every bound stays well below the 2^31-1 ms where Node timers overflow', () => {
    for (const { max } of keys) expect(Number.parseInt(max) * 3_600_000).toBeLessThan(TIMER_MAX / 2);
  });

  it('applies to configuration objects too', () => {
    const bad = () => normalizeConfigObject({ services: { orders: { endpoints: ['127.0.0.1:8081'], timeout: 1e308 } } }, { env: {} });
    expect(bad).toThrow(ConfigValidationError);
    expect(bad).toThrow(/services\.orders\.timeout: timeout must be at most 24h, got 1e\+308ms/);
  });

  it('says why a value from an environment variable is refused', () => {
    const issues = issuesOf(yaml(...ORDERS, '    timeout: ${T}'), { T: '30d' });
    expect(issues[0]!.message).toMatch(/^invalid duration "30d"/);
  });
});
