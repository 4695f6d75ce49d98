import { describe, expect, it } from 'vitest';
import { createMesh } from '../../../src/index.js';
import { EXPORT_BOUNDS } from '../../../src/telemetry/latency-histogram.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';
import { valueOf } from './exposition.js';

const open = closeAfterEach();
const FAST = 20;
const SLOW = 5;
const DELAY_MS = 150;

describe('histogram buckets against known traffic', () => {
  it('puts instant and 150 ms answers in the buckets their latencies fall in, per status, on both sides', async () => {
    const quiet = { watch: false, shutdown: false as const, logger: new RecordingLogger() };
    const server = open.add(await createMesh({ ...quiet, service: 'orders', config: { identity: { mode: 'none' } } }));
    // Slow answers are 201, fast ones 200, so each status label holds one kind of latency.
    const served = open.add(
      await server.serve((req, res) => {
        req.resume();
        if (req.url === '/slow') setTimeout(() => res.writeHead(201).end(), DELAY_MS);
        else res.writeHead(200).end();
      }, { port: 0 }),
    );
    const client = open.add(
      await createMesh({ ...quiet, service: 'checkout', config: { identity: { mode: 'none' }, services: { orders: { tls: 'none', endpoints: [`127.0.0.1:${served.port}`] } } } }),
    );
    for (let i = 0; i < FAST; i++) await (await client.request('http://orders/fast')).body.dump();
    for (let i = 0; i < SLOW; i++) await (await client.request('http://orders/slow')).body.dump();

    const les = [...EXPORT_BOUNDS.map(String), '+Inf'];
    const check = (text: string, name: string, labels: (status: number) => string) => {
      const at = (status: number, le: string) => valueOf(text, `${name}_bucket{${labels(status)},le="${le}"}`);
      // Every boundary is exported, cumulative, for each status.
      for (const status of [200, 201]) {
        const counts = les.map((le) => at(status, le));
        expect(counts.every((c) => c !== undefined), `${name} ${status}: every le`).toBe(true);
        expect(counts, `${name} ${status}: cumulative`).toEqual([...counts].sort((a, b) => a! - b!));
      }
      // Instant answers: all within 100 ms (a generous bound on loopback); none above.
      expect(at(200, '0.1')).toBe(FAST);
      expect(at(200, '+Inf')).toBe(FAST);
      // 150 ms answers: none at or under 100 ms, all within 2.5 s.
      expect(at(201, '0.1')).toBe(0);
      expect(at(201, '2.5')).toBe(SLOW);
      expect(valueOf(text, `${name}_count{${labels(201)}}`)).toBe(SLOW);
      expect(valueOf(text, `${name}_sum{${labels(201)}}`)).toBeGreaterThanOrEqual((SLOW * (DELAY_MS - 2)) / 1000);
      expect(valueOf(text, `${name}_count{${labels(200)}}`)).toBe(FAST);
    };
    check(
      await client.metrics.metrics(),
      'http_client_request_duration_seconds',
      (s) => `source_service="checkout",destination_service="orders",route="default",http_response_status_code="${s}",error_type=""`,
    );
    check(await server.metrics.metrics(), 'http_server_request_duration_seconds', (s) => `service="orders",route="",http_request_method="GET",http_response_status_code="${s}"`);
    // The endpoint histogram splits by outcome, not status: all 25 succeeded.
    const endpoint = `source_service="checkout",destination_service="orders",endpoint="127.0.0.1:${served.port}",outcome="success"`;
    expect(valueOf(await client.metrics.metrics(), `inmesh_endpoint_request_duration_seconds_count{${endpoint}}`)).toBe(FAST + SLOW);
  });
});
