import { describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, type TestServer } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);

/** Answers its first request 503 with `retry-after: value`, later ones 200. */
async function shedOnce(value: string): Promise<TestServer> {
  let first = true;
  return open.add(
    await startHttpServer((req, res) => {
      req.resume();
      if (first) {
        first = false;
        res.writeHead(503, { 'retry-after': value }).end('busy');
      } else res.end('ok');
    }),
  );
}

async function meshFor(endpoints: TestServer[], retries?: object): Promise<Mesh> {
  mesh = await createMesh({
    service: 'checkout',
    config: { services: { orders: { tls: 'none', endpoints: endpoints.map((s) => s.address), outlierDetection: false, ...(retries ? { retries } : {}) } } },
  });
  return mesh;
}

async function statusOf(m: Mesh): Promise<number> {
  const res = await m.request('http://orders/');
  await res.body.dump();
  return res.statusCode;
}

describe('retry-after from a backend', () => {
  for (const junk of ['1e308', '0x10', '1.5']) {
    it(`ignores retry-after: ${junk} instead of shunning the endpoint`, async () => {
      const shedding = await shedOnce(junk);
      const other = open.add(await startHttpServer((req, res) => (req.resume(), res.end('ok'))));
      const m = await meshFor([shedding, other]);
      // Until the shedding endpoint has answered its 503, the test does not know who got the call.
      const until = Date.now() + 5_000;
      while (shedding.hits() === 0 && Date.now() < until) await statusOf(m);
      expect(shedding.hits()).toBe(1);
      for (let i = 0; i < 200 && shedding.hits() < 10 && Date.now() < until; i++) await statusOf(m);
      expect(shedding.hits()).toBeGreaterThanOrEqual(10);
    });
  }

  it('returns the 503 at once when retry-after asks for longer than the mesh waits (60 s), instead of retrying early', async () => {
    const shedding = await shedOnce('999999999');
    const m = await meshFor([shedding], { attempts: 3, on: [503] });
    const started = Date.now();
    expect(await statusOf(m)).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(shedding.hits()).toBe(1);
  });

  it('waits out a retry-after of whole seconds before retrying', async () => {
    const shedding = await shedOnce('1');
    const m = await meshFor([shedding], { attempts: 2, on: [503] });
    const started = Date.now();
    expect(await statusOf(m)).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(shedding.hits()).toBe(2);
  });
});
