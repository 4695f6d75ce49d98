import { METHODS } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';
import { seriesOf } from './exposition.js';

const open = closeAfterEach();
const TOTAL = 10_000;

/** Methods Node's parser accepts that the server metrics do not name (WebDAV, CalDAV, SSDP…): each should land in _OTHER. */
const UNUSUAL = METHODS.filter((m) => !['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'].includes(m));

describe('label cardinality', () => {
  it('stays bounded after 10,000 calls with distinct paths and unusual methods, client and server side', async () => {
    expect(UNUSUAL.length).toBeGreaterThan(10);
    const quiet = { watch: false, shutdown: false as const, logger: new RecordingLogger() };
    const server = open.add(await createMesh({ ...quiet, service: 'orders', config: { identity: { mode: 'none' } } }));
    // A plain node:http handler behind mesh.serve: the server has no route template, so route is ''.
    const served = open.add(
      await server.serve((req, res) => {
        req.resume();
        res.writeHead(req.url!.endsWith('7') ? 404 : 200).end();
      }, { port: 0 }),
    );
    const client: Mesh = open.add(
      await createMesh({
        ...quiet,
        service: 'checkout',
        config: {
          identity: { mode: 'none' },
          services: { orders: { tls: 'none', endpoints: [`127.0.0.1:${served.port}`], connections: 16, routes: [{ name: 'items', match: { path: '/items/*' } }] } },
        },
      }),
    );

    let next = 0;
    let answered = 0;
    const until = Date.now() + 60_000;
    const worker = async () => {
      while (next < TOTAL && Date.now() < until) {
        const i = next++;
        const path = i % 2 === 0 ? `/items/${i}` : `/raw/${i}/x?q=${i}`;
        const res = await client.request(`http://orders${path}`, { method: UNUSUAL[i % UNUSUAL.length] as 'GET' });
        await res.body.dump();
        answered++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(answered).toBe(TOTAL);

    for (const [who, mesh, bound] of [['client', client, 200], ['server', server, 120]] as const) {
      const text = await mesh.metrics.metrics();
      const series = seriesOf(text);
      // Buckets × (statuses × routes or methods): a few hundred at most, whatever the number of paths.
      expect(series.length, `${who} series`).toBeLessThan(bound);
      expect(text, who).not.toMatch(/\/items\/\d|\/raw\//);
      expect(new Set(series).size, `${who} has no duplicate series`).toBe(series.length);
    }
    const clientText = await client.metrics.metrics();
    const routes = new Set([...clientText.matchAll(/http_client_request_duration_seconds_count\{[^}]*route="([^"]*)"/g)].map((m) => m[1]));
    expect([...routes].sort()).toEqual(['default', 'items']);
    const serverText = await server.metrics.metrics();
    const methods = new Set([...serverText.matchAll(/http_server_request_duration_seconds_count\{[^}]*http_request_method="([^"]*)"/g)].map((m) => m[1]));
    expect([...methods]).toEqual(['_OTHER']);
    expect(serverText).toMatch(/http_server_request_duration_seconds_count\{service="orders",route="",http_request_method="_OTHER",http_response_status_code="200"\} 9000\n/);
  }, 90_000);
});
