import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createMesh } from '../../../src/index.js';
import { inboundOf } from '../../../src/server/inbound-host.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';
import { scrape } from './exposition.js';

const open = closeAfterEach();

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler).listen(0, '127.0.0.1');
  await once(s, 'listening');
  open.add({ close: () => new Promise<void>((r) => (s.close(() => r()), s.closeAllConnections())) });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('mesh.metricsHandler', () => {
  it('serves what the admin /metrics serves, mounted on a plain server and as an Express route', async () => {
    const mesh = open.add(await createMesh({ service: 'checkout', watch: false, shutdown: false, logger: new RecordingLogger(), config: { identity: { mode: 'none' }, admin: { port: 0 } } }));
    inboundOf(mesh).env.metrics.observe('GET', '/x', 200, 0.01);
    const plain = await listen(mesh.metricsHandler);
    const app = express();
    app.get('/internal/prom', mesh.metricsHandler);
    const viaExpress = await listen(app);

    const admin = await scrape(`${mesh.admin!.url}/metrics`);
    expect(admin.body).toContain('http_server_request_duration_seconds_count{service="checkout",route="/x",http_request_method="GET",http_response_status_code="200"} 1');
    for (const url of [`${plain}/anything`, `${viaExpress}/internal/prom`]) {
      const r = await scrape(url);
      expect(r.status).toBe(200);
      expect(r.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(r.body).toBe(admin.body);
    }
    const post = await request(plain, { method: 'POST' });
    expect([post.statusCode, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    await post.body.dump();
  });

  it('answers OpenMetrics with exemplars only when the Accept header prefers it', async () => {
    const mesh = open.add(await createMesh({ service: 'checkout', watch: false, shutdown: false, logger: new RecordingLogger(), config: { identity: { mode: 'none' } } }));
    inboundOf(mesh).env.metrics.observe('GET', '/t', 200, 0.2, undefined, { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) });
    const url = await listen(mesh.metricsHandler);
    const text = await scrape(url, 'text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5');
    expect(text.contentType).toContain('text/plain');
    expect(text.body).not.toContain('trace_id');
    const om = await scrape(url, 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5');
    expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body).toMatch(
      new RegExp(`^http_server_request_duration_seconds_bucket\\{service="checkout",route="/t",http_request_method="GET",http_response_status_code="200",le="0.25"\\} 1 # \\{trace_id="${'ab'.repeat(16)}",span_id="${'cd'.repeat(8)}"\\} 0.2 \\d+\\.?\\d*$`, 'm'),
    );
    expect(om.body.endsWith('# EOF\n')).toBe(true);
  });
});
