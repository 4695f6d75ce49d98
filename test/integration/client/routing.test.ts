import { describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { seededRandom } from '../../../src/experimental.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);


/** A server that names its version and counts shadow (mirrored) requests apart. */
async function versioned(version: string) {
  let shadows = 0;
  const s = await startHttpServer((req, res) => {
    req.resume();
    if (req.headers['inmesh-shadow'] === '1') shadows++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version, path: req.url }));
  });
  open.add(s);
  return Object.assign(s, { shadows: () => shadows });
}

async function callAll(m: Mesh, n: number, url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  let next = 0;
  const until = Date.now() + 15_000;
  const worker = async () => {
    while (next < n && Date.now() < until) {
      next++;
      const res = await m.request(url, { headers, method: method as 'GET' });
      const { version } = (await res.body.json()) as { version: string };
      seen[version] = (seen[version] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return seen;
}

describe('routing', () => {
  it('splits traffic by weight within ±3% over 10,000 calls, and pins by header', async () => {
    const [v1, v2] = [await versioned('v1'), await versioned('v2')];
    mesh = await createMesh({
      service: 'checkout',
      random: seededRandom(7),
      config: {
        services: {
          orders: {
            tls: 'none',
            endpoints: [
              { address: v1.address, labels: { version: 'v1' } },
              { address: v2.address, labels: { version: 'v2' } },
            ],
            routes: [
              { name: 'canary-pin', match: { headers: { 'x-canary': '1' } }, backends: [{ subset: 'v2' }] },
              { name: 'split', backends: [{ subset: 'v1', weight: 90 }, { subset: 'v2', weight: 10 }] },
            ],
          },
        },
      },
    });
    const split = await callAll(mesh, 10_000, 'http://orders/api');
    expect((split.v1 ?? 0) + (split.v2 ?? 0)).toBe(10_000);
    expect(Math.abs((split.v2 ?? 0) / 10_000 - 0.1)).toBeLessThan(0.03);
    expect(Math.abs((split.v1 ?? 0) / 10_000 - 0.9)).toBeLessThan(0.03);

    const pinned = await callAll(mesh, 200, 'http://orders/api', { 'x-canary': '1' });
    expect(pinned).toEqual({ v2: 200 });

    const text = await mesh.metrics.getSingleMetricAsString('http_client_request_duration_seconds');
    expect(text).toMatch(/route="split",http_response_status_code="200",error_type=""\} 10000/);
    expect(text).toMatch(/route="canary-pin",http_response_status_code="200",error_type=""\} 200/);
  });

  it('matches routes by path prefix, exact path and method, in order, falling back to all endpoints', async () => {
    const [a, b] = [await versioned('a'), await versioned('b')];
    mesh = await createMesh({
      service: 'checkout',
      config: {
        services: {
          orders: {
            tls: 'none',
            endpoints: [
              { address: a.address, labels: { version: 'a' } },
              { address: b.address, labels: { version: 'b' } },
            ],
            routes: [
              { name: 'writes', match: { path: { prefix: '/api/' }, methods: ['POST'] }, backends: [{ subset: 'b' }] },
              { name: 'health', match: { path: { exact: '/health' } }, backends: [{ subset: 'a' }] },
            ],
          },
        },
      },
    });
    expect(await callAll(mesh, 20, 'http://orders/api/orders', {}, 'POST')).toEqual({ b: 20 });
    expect(await callAll(mesh, 20, 'http://orders/health?verbose=1')).toEqual({ a: 20 });
    const rest = await callAll(mesh, 200, 'http://orders/api/orders');
    expect(rest.a! + rest.b!).toBe(200);
    expect(rest.a).toBeGreaterThan(0);
    expect(rest.b).toBeGreaterThan(0);
  });

  it('mirrors a share of calls to a subset, answering only from the real backend', async () => {
    const [live, shadow] = [await versioned('live'), await versioned('shadow')];
    mesh = await createMesh({
      service: 'checkout',
      random: seededRandom(3),
      config: {
        services: {
          orders: {
            tls: 'none',
            endpoints: [
              { address: live.address, labels: { version: 'live' } },
              { address: shadow.address, labels: { version: 'shadow' } },
            ],
            routes: [{ name: 'main', backends: [{ subset: 'live' }], mirror: { subset: 'shadow', percent: 25 } }],
          },
        },
      },
    });
    const seen = await callAll(mesh, 2000, 'http://orders/x');
    expect(seen).toEqual({ live: 2000 });
    await waitFor(() => shadow.hits() >= 400, 5000, 'mirrored calls');
    expect(shadow.shadows()).toBe(shadow.hits());
    expect(Math.abs(shadow.hits() / 2000 - 0.25)).toBeLessThan(0.03);
    expect(live.shadows()).toBe(0);
  });
});
