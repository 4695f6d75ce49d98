import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMesh, type Mesh } from '../../../src/index.js';
import { seededRandom } from '../../../src/experimental.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, startNamedServer, waitFor, type TestServer } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);


async function server(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const s = await startHttpServer(handler);
  open.add(s);
  return s;
}

async function named(name: string): Promise<TestServer> {
  const s = await startNamedServer(name);
  open.add(s);
  return s;
}

/** Runs `n` calls from `concurrency` workers (bounded in count and time); returns statuses and errors. */
async function load(m: Mesh, url: string, n: number, concurrency = 8, opts: Parameters<Mesh['request']>[1] = {}, onCall?: (i: number) => void) {
  const out = { ok: 0, statuses: {} as Record<number, number>, errors: [] as unknown[] };
  let next = 0;
  const until = Date.now() + 15_000;
  const worker = async () => {
    while (next < n && Date.now() < until) {
      const i = next++;
      onCall?.(i);
      try {
        const res = await m.request(url, opts);
        await res.body.dump();
        out.statuses[res.statusCode] = (out.statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode < 500) out.ok++;
      } catch (e) {
        out.errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

describe('resilience through the client', () => {
  it('loses no idempotent call when an endpoint is killed under load', async () => {
    const list = await Promise.all(['a', 'b', 'c'].map(named));
    mesh = await createMesh({
      service: 'checkout',
      config: { services: { orders: { tls: 'none', endpoints: list.map((s) => s.address), loadBalancer: 'round-robin', retries: { attempts: 3, on: ['connect-failure', 'reset'] } } } },
    });
    const killAt = 300;
    const r = await load(mesh, 'http://orders/', 1500, 8, {}, (i) => {
      if (i === killAt) void list[1]!.close();
    });
    expect(r.errors.map((e) => String((e as Error).message)).slice(0, 3)).toEqual([]);
    expect(r.ok).toBe(1500);
    const retries = await mesh.metrics.getSingleMetricAsString('inmesh_retries_total');
    expect(retries).toMatch(/inmesh_retries_total\{destination_service="orders",route="default",reason="(requeue-)?(connect-failure|reset)"\} \d+/);
  });

  it('gives up on a hung endpoint at the deadline, with the connection slot freed', async () => {
    let hung = 0;
    const s = await server((req, res) => {
      req.resume();
      if (req.url === '/hang') hung++;
      else res.end('fine');
    });
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [s.address], timeout: '150ms', connections: 1 } } } });
    const started = Date.now();
    const err = await mesh.request('http://orders/hang').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MESH_ERR_DEADLINE_EXCEEDED', retryable: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(hung).toBe(1);
    // The only connection was aborted with the call, so the next call is not stuck behind it.
    const res = await mesh.request('http://orders/next');
    expect(await res.body.text()).toBe('fine');
  });

  it('sends the remaining budget downstream, tightened by a per-call timeout', async () => {
    let seen: string | undefined;
    const s = await server((req, res) => {
      seen = req.headers['inmesh-deadline-ms'] as string | undefined;
      req.resume();
      res.end();
    });
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [s.address], timeout: '2s' } } } });
    await (await mesh.request('http://orders/')).body.dump();
    expect(Number(seen)).toBeGreaterThan(1900);
    expect(Number(seen)).toBeLessThanOrEqual(2000);
    await (await mesh.request('http://orders/', { timeout: 300 })).body.dump();
    expect(Number(seen)).toBeLessThanOrEqual(300);
    await (await mesh.fetch('http://orders/', { timeout: 200 })).arrayBuffer();
    expect(Number(seen)).toBeLessThanOrEqual(200);
  });

  it('does not retry a POST whose connection was reset after the body was sent', async () => {
    let posts = 0;
    const s = await server((req) => {
      req.resume();
      req.on('end', () => {
        posts++;
        req.socket.destroy();
      });
    });
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [s.address], retries: { attempts: 3, on: ['reset', 'connect-failure'] } } } } });
    const err = await mesh.request('http://orders/charge', { method: 'POST', body: 'pay 10' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'reset' });
    expect(posts).toBe(1);
    // The same reset on a GET is retried.
    posts = 0;
    await mesh.request('http://orders/get').catch(() => undefined);
    expect(posts).toBe(3);
  });

  it('opens the breaker on failures, probes half-open, and closes on success', async () => {
    let failing = true;
    let hits = 0;
    const s = await server((req, res) => {
      hits++;
      req.resume();
      res.writeHead(failing ? 500 : 200).end();
    });
    mesh = await createMesh({
      service: 'checkout',
      config: { services: { orders: { tls: 'none', endpoints: [s.address], circuitBreaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeout: '300ms' } } } },
    });
    const first = await load(mesh, 'http://orders/', 10, 1);
    expect(first.statuses[500]).toBeGreaterThanOrEqual(5);
    const open = await mesh.request('http://orders/').catch((e: unknown) => e);
    expect(open).toMatchObject({ code: 'MESH_ERR_CIRCUIT_OPEN', rejected: true });
    const hitsWhileOpen = hits;
    await mesh.request('http://orders/').catch(() => undefined);
    expect(hits).toBe(hitsWhileOpen);
    failing = false;
    let probe: unknown;
    await waitFor(async () => {
      probe = await mesh!.request('http://orders/').then((r) => (r.body.dump(), r.statusCode), (e: unknown) => e);
      return probe === 200;
    }, 5000, 'the half-open probe');
    const after = await load(mesh, 'http://orders/', 20, 1);
    expect(after.ok).toBe(20);
    const transitions = await mesh.metrics.getSingleMetricAsString('inmesh_circuit_transitions_total');
    for (const state of ['open', 'half-open', 'closed']) expect(transitions).toContain(`state="${state}"`);
  });

  it("fails fast above retry once every endpoint's breaker is open (the service-wide guard)", async () => {
    const failing = await Promise.all([0, 1].map(() => server((req, res) => (req.resume(), res.writeHead(500).end()))));
    mesh = await createMesh({
      service: 'checkout',
      config: {
        services: {
          orders: {
            tls: 'none',
            endpoints: failing.map((f) => f.address),
            outlierDetection: false,
            retries: { attempts: 3, on: ['5xx'], backoff: { base: '1ms', max: '2ms' } },
            circuitBreaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeout: '10s' },
          },
        },
      },
    });
    await waitFor(async () => {
      const r = await mesh!.request('http://orders/').then((x) => (x.body.dump(), x.statusCode), (e: unknown) => e);
      return (r as { message?: string })?.message?.includes('every endpoint') ?? false;
    }, 5000, 'every breaker to open');
    const hits = failing.map((f) => f.hits());
    const err = await mesh.request('http://orders/').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MESH_ERR_CIRCUIT_OPEN', service: 'orders' });
    expect(failing.map((f) => f.hits())).toEqual(hits);
  });

  it('ejects an endpoint after consecutive 5xx and returns it after the ejection time', async () => {
    let badFails = true;
    const good = await named('good');
    const bad = await server((req, res) => {
      req.resume();
      if (badFails) res.writeHead(503).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"bad"}');
    });
    mesh = await createMesh({
      service: 'checkout',
      config: {
        services: {
          orders: { tls: 'none', endpoints: [good.address, bad.address], loadBalancer: 'round-robin', outlierDetection: { consecutive5xx: 3, baseEjectionTime: '400ms', maxEjectionPercent: 50 } },
        },
      },
    });
    await load(mesh, 'http://orders/', 6, 1);
    const badHitsAtEjection = bad.hits();
    expect(badHitsAtEjection).toBe(3);
    const during = await load(mesh, 'http://orders/', 50, 4);
    expect(during.ok).toBe(50);
    expect(bad.hits()).toBe(badHitsAtEjection);
    expect(await mesh.metrics.getSingleMetricAsString('inmesh_endpoint_ejections_total')).toContain(`endpoint="${bad.address}"} 1`);
    badFails = false;
    await waitFor(async () => {
      await load(mesh!, 'http://orders/', 4, 1);
      return bad.hits() > badHitsAtEjection;
    }, 5000, 'the endpoint to return');
  });

  it('injects aborts and delays in the configured share of calls', async () => {
    const s = await named('real');
    mesh = await createMesh({
      service: 'checkout',
      random: seededRandom(5),
      config: { services: { orders: { tls: 'none', endpoints: [s.address], routes: [{ name: 'chaos', fault: { abort: { percent: 20, status: 503 } } }] } } },
    });
    const r = await load(mesh, 'http://orders/', 2000, 8);
    expect(r.statuses[503]! + r.statuses[200]!).toBe(2000);
    expect(Math.abs(r.statuses[503]! / 2000 - 0.2)).toBeLessThan(0.03);
    expect(s.hits()).toBe(r.statuses[200]);
    await mesh.close();

    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [s.address], routes: [{ name: 'slow', fault: { delay: { percent: 100, duration: '120ms' } } }] } } } });
    const t = Date.now();
    await (await mesh.request('http://orders/')).body.dump();
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
  });

  it('hedges a slow call to another endpoint and takes the first answer', async () => {
    const slowRequests: ServerResponse[] = [];
    const slow = await server((req, res) => {
      req.resume();
      slowRequests.push(res);
    });
    const fast = await named('fast');
    mesh = await createMesh({
      service: 'checkout',
      config: { services: { orders: { tls: 'none', endpoints: [slow.address, fast.address], loadBalancer: 'round-robin', routes: [{ name: 'reads', match: { methods: ['GET'] }, hedge: { delay: '30ms', maxAttempts: 2 } }] } } },
    });
    for (let i = 0; i < 4; i++) {
      const t = Date.now();
      const res = await mesh.request('http://orders/');
      expect(await res.body.json()).toMatchObject({ name: 'fast' });
      expect(Date.now() - t).toBeLessThan(1000);
    }
    expect(slowRequests.length).toBeGreaterThan(0);
    expect(await mesh.metrics.getSingleMetricAsString('inmesh_hedges_total')).toMatch(/route="reads"\} [1-9]/);
    for (const r of slowRequests) r.end();
  });

  it('honours per-call overrides: retry: false sends once', async () => {
    let hits = 0;
    const s = await server((req, res) => {
      hits++;
      req.resume();
      res.writeHead(503).end();
    });
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [s.address], retries: { attempts: 3, on: [503], backoff: { base: '1ms', max: '2ms' } } } } } });
    await (await mesh.request('http://orders/')).body.dump();
    expect(hits).toBe(3);
    hits = 0;
    await (await mesh.request('http://orders/', { retry: false })).body.dump();
    expect(hits).toBe(1);
  });
});
