import fc from 'fast-check';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { MESH_YAML, startTestDaemon } from '../../helpers/control-daemon.js';

const RUNS = 10_000;

const garbage = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('-1', '1.5', '1e3', '99999999999999999', '30', '5h', 'NaN', '', '%00', '1m1s'));
/** A query value that is never a valid `version` or `wait`, so nothing blocks. */
const badValue = garbage.filter((v) => !/^\d{1,15}$/.test(v) && !/^\d{1,9}(\.\d{1,3})?(ms|s|m)$/.test(v));
const segment = fc.oneof(fc.webSegment(), fc.constantFrom('..', '.', '%2F', '%E0%A4%A', '%00', 'Orders', 'a'.repeat(300), '__proto__', 'constructor'));
const headerName = fc.stringMatching(/^x-[a-z0-9-]{1,20}$/);
const headerValue = fc.stringMatching(/^[ -~]{0,80}$/).map((v) => v.trim());
const contentType = fc.constantFrom(undefined, 'application/json', 'application/yaml', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '*/*');
const authorization = fc.oneof(fc.constant(undefined), fc.constantFrom('Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA', 'Bearer inmesh-admin-guess'), headerValue.map((v) => `Bearer ${v}`));
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.record({ service: fc.oneof(fc.constant('orders'), fc.string()), csr: fc.string(), ttlSeconds: fc.oneof(fc.integer(), fc.double()) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.record({ leaseSeconds: fc.anything(), labels: fc.anything(), protocols: fc.anything(), meshed: fc.anything() }, { requiredKeys: [] }).map((o) => JSON.stringify(o) ?? 'null'),
  fc.constantFrom('trustDomain: other.local\n', 'services: [', MESH_YAML.replace('8081', 'x')),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
);

type Req = { method: string; path: string; headers: Record<string, string>; body: string | Buffer | undefined };

/** Each request is wrong by construction: an unknown path, a method a route does not take, a bad query, or a write with no valid credential. */
const malformed: fc.Arbitrary<Req> = fc
  .record({
    kind: fc.constantFrom('unknown-path', 'wrong-method', 'bad-query', 'write', 'bad-service'),
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'PURGE'),
    segments: fc.array(segment, { minLength: 1, maxLength: 5 }),
    query: fc.array(fc.tuple(fc.constantFrom('version', 'wait', 'x', 'version'), badValue), { maxLength: 4 }),
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
    contentType,
    authorization,
    body,
    write: fc.constantFrom('PUT /v1/config', 'POST /v1/tokens', 'POST /v1/identity/certificates', 'PUT /v1/registry/services/orders/instances/127.0.0.1%3A8081', 'DELETE /v1/registry/services/orders/instances/127.0.0.1%3A8081'),
    get: fc.constantFrom('/v1/config', '/v1/registry/services/orders', '/v1/registry/services/checkout'),
  })
  .map((r): Req => {
    const qs = r.query.length ? `?${new URLSearchParams(r.query).toString()}` : '';
    const headers: Record<string, string> = { ...r.headers, ...(r.contentType && { 'content-type': r.contentType }), ...(r.authorization !== undefined && { authorization: r.authorization }) };
    const withBody = (m: string) => (m === 'GET' || m === 'HEAD' ? undefined : r.body);
    switch (r.kind) {
      case 'unknown-path':
        return { method: r.method, path: `/${['v9', ...r.segments].join('/')}${qs}`, headers, body: withBody(r.method) };
      case 'wrong-method': {
        const method = r.method === 'GET' || r.method === 'HEAD' || r.method === 'PUT' ? 'PATCH' : r.method;
        return { method, path: `/v1/config${qs}`, headers, body: withBody(method) };
      }
      case 'bad-query':
        return { method: 'GET', path: `${r.get}?version=${encodeURIComponent(r.query[0]?.[1] ?? 'x')}${qs.replace('?', '&')}`, headers, body: undefined };
      case 'bad-service':
        return { method: 'GET', path: `/v1/registry/services/${r.segments[0] === 'orders' ? 'Orders' : `${r.segments[0]}%20`}`, headers, body: undefined };
      default: {
        const [method, path] = r.write.split(' ') as [string, string];
        return { method, path, headers, body: r.body };
      }
    }
  });

describe('API fuzz', () => {
  it(`answers ${RUNS} malformed requests with 4xx, keeps answering, and loses no state`, { timeout: 180_000 }, async () => {
    const t = await startTestDaemon();
    await t.call('PUT', '/v1/registry/services/payments/instances/127.0.0.1%3A9000', { admin: true, body: { leaseSeconds: 300 } });
    const dispatcher = new Agent({ connect: { ca: t.daemon.bundlePem }, connections: 4 });
    const statuses = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(malformed, async (r) => {
          const res = await request(new URL(r.path, t.daemon.url), { method: r.method as 'GET', headers: r.headers, body: r.body, dispatcher, headersTimeout: 10_000, bodyTimeout: 10_000 });
          const text = await res.body.text();
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          expect(res.statusCode, `${r.method} ${r.path} → ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, `${r.method} ${r.path} → ${text.slice(0, 200)}`).toBeLessThan(500);
          if (r.method !== 'HEAD') expect(JSON.parse(text).error.code).toMatch(/^MESH_ERR_/);
        }),
        { numRuns: RUNS, seed: 1101 },
      );
    } finally {
      await dispatcher.close();
    }
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    expect(t.log.entries.filter((e) => e.msg === 'control request failed')).toEqual([]);
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    expect((await t.call('GET', '/v1/config')).json).toMatchObject({ version: 1, yaml: MESH_YAML });
    expect((await t.call('GET', '/v1/registry/services')).json).toEqual({ services: { payments: { instances: 1, version: 1 } } });
    expect((await t.call('POST', '/v1/tokens', { admin: true, body: { service: 'orders', ttlSeconds: 60 } })).status).toBe(201);
    // The generator reaches every kind of refusal: 400, 401, 404, 405, 415.
    expect(statuses.size).toBeGreaterThanOrEqual(5);
  });
});
