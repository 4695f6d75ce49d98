import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}

describe('mesh.yaml exporter: otlp', () => {
  it('sets up the SDK with a batch processor, and an OTLP/HTTP receiver on loopback gets the spans as JSON', async () => {
    const exports: Array<{ path: string; type: string; body: OtlpExport }> = [];
    const collector = open.add(
      await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          exports.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      }),
    );
    const backend = open.add(await startHttpServer((req, res) => void (req.resume(), res.end('ok'))));
    const mesh = await createMesh({
      service: 'orders',
      config: {
        services: { inventory: { tls: 'none', endpoints: [backend.address] } },
        telemetry: { tracing: { exporter: 'otlp', endpoint: `http://${collector.address}`, sampleRatio: 1 } },
      },
    });
    let closed = false;
    try {
      const served = await mesh.serve(async (req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        await (await mesh.request('http://inventory/stock')).body.text();
        res.end('done');
      }, { port: 0 });
      const r = await fetch(`http://127.0.0.1:${served.port}/orders/1`);
      expect(await r.text()).toBe('done');
      // close() flushes the batch processor.
      await mesh.close();
      closed = true;
    } finally {
      if (!closed) await mesh.close();
    }
    await waitFor(() => exports.length > 0, 5000, 'an OTLP export');
    expect(exports[0]!.path).toBe('/v1/traces');
    expect(exports[0]!.type).toContain('application/json');
    const all = exports.flatMap((e) => e.body.resourceSpans);
    const serviceNames = all.flatMap((r) => r.resource.attributes.filter((a) => a.key === 'service.name').map((a) => a.value.stringValue));
    expect(new Set(serviceNames)).toEqual(new Set(['orders']));
    const spans = all.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    // A server span, the call's span and its attempt: one trace.
    expect(spans).toHaveLength(3);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const server = spans.find((s) => s.kind === 2)!;
    const calls = spans.filter((s) => s.kind === 3);
    const logical = calls.find((s) => s.parentSpanId === server.spanId)!;
    expect(logical).toBeDefined();
    expect(calls.find((s) => s.parentSpanId === logical.spanId)).toBeDefined();
    const attrs = Object.fromEntries(server.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
    expect(attrs['url.path']).toBe('/orders/1');
    expect(Number(attrs['http.response.status_code'])).toBe(200);
  });
});
