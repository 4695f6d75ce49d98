import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, type TestServer } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);

const CALLS = 1500;
/**
 * Each of three identical endpoints must get at least this share. A fair balancer gives each a
 * third; on a loaded CI machine one got 11.5% once. Without estimate aging (the failure these
 * tests guard against) one endpoint got 0.07–3.4% in six runs, so the bar sits between the two.
 */
const FAIR_SHARE = 0.07;

async function server(handler: (req: IncomingMessage, res: ServerResponse, hit: number) => void = (_q, res) => res.end('ok')): Promise<TestServer> {
  let hit = 0;
  return open.add(
    await startHttpServer((req, res) => {
      req.resume();
      handler(req, res, ++hit);
    }),
  );
}

/** Calls made one at a time, bounded in count and time. */
async function oneAtATime(m: Mesh, n: number): Promise<number> {
  const until = Date.now() + 15_000;
  let done = 0;
  while (done < n && Date.now() < until) {
    await (await m.request('http://orders/')).body.dump();
    done++;
  }
  return done;
}

async function sharesOf(servers: TestServer[]): Promise<number[]> {
  mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: servers.map((s) => s.address) } } } });
  const done = await oneAtATime(mesh, CALLS);
  const total = servers.reduce((sum, s) => sum + s.hits(), 0);
  expect(total).toBe(done);
  return servers.map((s) => s.hits() / total);
}

describe('p2c peak-EWMA at low concurrency', () => {
  it('gives each of three identical endpoints a fair share of calls made one at a time', async () => {
    const shares = await sharesOf([await server(), await server(), await server()]);
    for (const s of shares) expect(s, shares.join(' / ')).toBeGreaterThan(FAIR_SHARE);
  });

  it('keeps trying an endpoint whose first answer was slow', async () => {
    // The first response pays for something once (a cold cache, a connection set-up): 40 ms.
    const coldStart = await server((_q, res, hit) => (hit === 1 ? setTimeout(() => res.end('ok'), 40) : res.end('ok')));
    const shares = await sharesOf([coldStart, await server(), await server()]);
    for (const s of shares) expect(s, shares.join(' / ')).toBeGreaterThan(FAIR_SHARE);
  });

  it('does not let an endpoint that reports a light load win every call over ones that send no report', async () => {
    const reporting = await server((_q, res) => res.writeHead(200, { 'inmesh-load': 'inflight=0;elu=0.010' }).end('ok'));
    const shares = await sharesOf([reporting, await server(), await server()]);
    for (const s of shares) expect(s, shares.join(' / ')).toBeGreaterThan(FAIR_SHARE);
  });
});
