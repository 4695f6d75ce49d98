import { describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';
import { valueOf } from './exposition.js';

const open = closeAfterEach();
const quiet = { watch: false, shutdown: false as const, logger: new RecordingLogger() };
const text = (m: Mesh) => m.metrics.metrics();

describe('scrape-time gauges', () => {
  it('shows a breaker open, then half-open after its reset timeout, then closed, as 1 of three state series', async () => {
    let failing = true;
    const s = open.add(await startHttpServer((req, res) => (req.resume(), res.writeHead(failing ? 503 : 200).end())));
    const mesh = open.add(
      await createMesh({
        ...quiet,
        service: 'checkout',
        config: { identity: { mode: 'none' }, services: { orders: { tls: 'none', endpoints: [s.address], circuitBreaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeout: '300ms' } } } },
      }),
    );
    const state = async (endpoint: string) => {
      const t = await text(mesh);
      return Object.fromEntries(['closed', 'open', 'half_open'].map((st) => [st, valueOf(t, `inmesh_circuit_state{destination_service="orders",endpoint="${endpoint}",state="${st}"}`)]));
    };
    expect(await state(s.address)).toEqual({ closed: 1, open: 0, half_open: 0 });
    expect(await state('')).toEqual({ closed: 1, open: 0, half_open: 0 });
    for (let i = 0; i < 5; i++) await mesh.request('http://orders/').then((r) => r.body.dump(), () => undefined);
    expect(await state(s.address)).toEqual({ closed: 0, open: 1, half_open: 0 });
    // The only endpoint's breaker is open, so the service-wide guard is too.
    expect(await state('')).toEqual({ closed: 0, open: 1, half_open: 0 });
    expect(valueOf(await text(mesh), 'inmesh_endpoints{destination_service="orders",state="open"}')).toBe(1);
    await waitFor(async () => (await state(s.address)).half_open === 1, 5000, 'the breaker to go half-open');
    failing = false;
    await (await mesh.request('http://orders/')).body.dump();
    expect(await state(s.address)).toEqual({ closed: 1, open: 0, half_open: 0 });
    expect(valueOf(await text(mesh), 'inmesh_endpoints{destination_service="orders",state="healthy"}')).toBe(1);
  });

  it('counts requests in flight on both sides while a handler holds them, and none after', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const server = open.add(await createMesh({ ...quiet, service: 'orders', config: { identity: { mode: 'none' } } }));
    const served = open.add(await server.serve((req, res) => void held.then(() => res.end('done')), { port: 0 }));
    const client = open.add(await createMesh({ ...quiet, service: 'checkout', config: { identity: { mode: 'none' }, services: { orders: { tls: 'none', endpoints: [`127.0.0.1:${served.port}`] } } } }));
    const calls = [0, 1, 2].map(() => client.request('http://orders/slow').then((r) => r.body.text()));
    await waitFor(async () => valueOf(await text(server), 'inmesh_server_requests_in_flight{service="orders"}') === 3, 5000, 'three requests in the server');
    expect(valueOf(await text(client), 'inmesh_requests_in_flight{destination_service="orders"}')).toBe(3);
    release();
    expect(await Promise.all(calls)).toEqual(['done', 'done', 'done']);
    await waitFor(async () => valueOf(await text(server), 'inmesh_server_requests_in_flight{service="orders"}') === 0, 5000, 'the server to finish');
    expect(valueOf(await text(client), 'inmesh_requests_in_flight{destination_service="orders"}')).toBe(0);
  });
});
