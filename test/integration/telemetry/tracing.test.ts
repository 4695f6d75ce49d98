import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, AlwaysOffSampler, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { SpanKind } from '@opentelemetry/api';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();
const providers: NodeTracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

/** A provider of the test's own, handed to each mesh: spans land in memory as each one ends. */
function memoryProvider(o: { off?: boolean } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)], ...(o.off && { sampler: new AlwaysOffSampler() }) });
  providers.push(provider);
  return { exporter, provider };
}

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const idOf = (s: ReadableSpan) => s.spanContext().spanId;

/** A backend that records the trace headers each request brought. */
async function recordingBackend() {
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  const server = open.add(
    await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ ...req.headers });
      req.resume();
      res.end('ok');
    }),
  );
  return { server, seen };
}

describe('tracing across three services', () => {
  it('makes one trace of client → A → B with a retry: logical and attempt spans, server spans under the attempts that reached them', async () => {
    const { exporter, provider } = memoryProvider();
    let bCalls = 0;
    const meshB: Mesh = open.add(await createMesh({ service: 'inventory', config: {}, tracerProvider: provider }));
    const b = await meshB.serve((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      bCalls++;
      if (bCalls === 1) res.writeHead(503).end('busy');
      else res.end('stock');
    }, { port: 0 });
    const meshA: Mesh = open.add(
      await createMesh({
        service: 'orders',
        config: { services: { inventory: { tls: 'none', endpoints: [`127.0.0.1:${b.port}`], retries: { attempts: 2, on: [503], backoff: { base: '1ms', max: '2ms' } } } } },
        tracerProvider: provider,
      }),
    );
    // The handler has no tracing code: its call joins the served request's trace through the mesh.
    const a = await meshA.serve(async (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      const down = await meshA.request('http://inventory/stock/42');
      res.end(`order-with-${await down.body.text()}`);
    }, { port: 0 });
    const client: Mesh = open.add(await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [`127.0.0.1:${a.port}`] } } }, tracerProvider: provider }));

    const res = await client.request('http://orders/orders/7?secret=x');
    expect(await res.body.text()).toBe('order-with-stock');
    await waitFor(() => exporter.getFinishedSpans().length >= 8, 5000, 'eight spans');
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(8);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);

    const attr = (s: ReadableSpan, k: string) => s.attributes[k];
    const clientSpans = spans.filter((s) => s.kind === SpanKind.CLIENT);
    const serverSpans = spans.filter((s) => s.kind === SpanKind.SERVER);
    const logical = (src: string) => clientSpans.find((s) => attr(s, 'inmesh.source.service') === src)!;
    const attemptsOf = (call: ReadableSpan) => clientSpans.filter((s) => parentOf(s) === idOf(call)).sort((x, y) => Number(attr(x, 'inmesh.attempt')) - Number(attr(y, 'inmesh.attempt')));

    const top = logical('checkout');
    expect(parentOf(top)).toBeUndefined();
    expect(top.attributes).toMatchObject({ 'http.request.method': 'GET', 'inmesh.destination.service': 'orders', 'http.response.status_code': 200, 'url.full': 'http://orders/orders/7' });
    const [topAttempt] = attemptsOf(top);
    expect(topAttempt!.attributes).toMatchObject({ 'inmesh.attempt': 1, 'inmesh.endpoint': `127.0.0.1:${a.port}`, 'network.peer.port': a.port });

    const aServer = serverSpans.find((s) => attr(s, 'inmesh.destination.service') === 'orders')!;
    expect(parentOf(aServer)).toBe(idOf(topAttempt!));
    expect(aServer.attributes).toMatchObject({ 'url.path': '/orders/7', 'http.response.status_code': 200 });

    const aCall = logical('orders');
    expect(parentOf(aCall)).toBe(idOf(aServer));
    const aAttempts = attemptsOf(aCall);
    expect(aAttempts.map((s) => [attr(s, 'inmesh.attempt'), attr(s, 'http.response.status_code'), attr(s, 'inmesh.retry.reason')])).toEqual([
      [1, 503, undefined],
      [2, 200, '503'],
    ]);
    expect(aAttempts[1]!.attributes['http.request.resend_count']).toBe(1);

    // Each of B's server spans hangs under the attempt that reached it.
    const bServers = serverSpans.filter((s) => attr(s, 'inmesh.destination.service') === 'inventory');
    expect(bServers.map(parentOf).sort()).toEqual(aAttempts.map(idOf).sort());
    expect(bServers.map((s) => attr(s, 'http.response.status_code')).sort()).toEqual([200, 503]);

    // Exemplars point at this trace: the caller's call histogram and A's server histogram.
    const traceId = top.spanContext().traceId;
    for (const [mesh, family] of [
      [client, 'http_client_request_duration_seconds'],
      [meshA, 'http_server_request_duration_seconds'],
    ] as const) {
      const scrape = open.add(await startHttpServer(mesh.metricsHandler));
      const text = await (await fetch(`http://${scrape.address}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })).text();
      const withExemplar = text.split('\n').find((l) => l.startsWith(`${family}_bucket`) && l.includes('# {'));
      expect(withExemplar, family).toContain(`trace_id="${traceId}"`);
    }
  });

  it('sends the sampled-out context on, with no spans and no attempt spans', async () => {
    const { exporter, provider } = memoryProvider({ off: true });
    const { server, seen } = await recordingBackend();
    const mesh: Mesh = open.add(await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [server.address] } } }, tracerProvider: provider }));
    await (await mesh.request('http://orders/x')).body.text();
    expect(String(seen[0]!.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe('hedged attempts', () => {
  it('shows the hedge as an attempt span with its reason, and the loser ended as cancelled', async () => {
    const { exporter, provider } = memoryProvider();
    let calls = 0;
    const backend = open.add(
      await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        // The first attempt stalls; the hedge answers at once.
        if (++calls === 1) setTimeout(() => res.end('late'), 400);
        else res.end('fast');
      }),
    );
    const mesh: Mesh = open.add(
      await createMesh({
        service: 'checkout',
        config: { services: { orders: { tls: 'none', endpoints: [backend.address], routes: [{ name: 'reads', match: { methods: ['GET'] }, hedge: { delay: '20ms', maxAttempts: 2 } }] } } },
        tracerProvider: provider,
      }),
    );
    expect(await (await mesh.request('http://orders/x')).body.text()).toBe('fast');
    await waitFor(() => exporter.getFinishedSpans().length >= 3, 5000, 'the call and both attempts');
    const attempts = exporter
      .getFinishedSpans()
      .filter((sp) => sp.attributes['inmesh.attempt'] !== undefined)
      .sort((x, y) => Number(x.attributes['inmesh.attempt']) - Number(y.attributes['inmesh.attempt']));
    expect(attempts.map((sp) => sp.attributes['inmesh.retry.reason'])).toEqual([undefined, 'hedge']);
    expect(attempts[0]!.attributes['error.type']).toBe('MESH_ERR_CANCELLED');
    expect(attempts[1]!.attributes['http.response.status_code']).toBe(200);
  });
});

describe('propagation formats between services', () => {
  async function relay(propagators: string[]) {
    const { exporter, provider } = memoryProvider();
    const { server, seen } = await recordingBackend();
    const mesh: Mesh = open.add(
      await createMesh({ service: 'orders', config: { services: { inventory: { tls: 'none', endpoints: [server.address] } }, telemetry: { tracing: { propagators } } }, tracerProvider: provider }),
    );
    const served = await mesh.serve(async (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      await (await mesh.request('http://inventory/s')).body.text();
      res.end('ok');
    }, { port: 0 });
    const call = async (headers: Record<string, string>) => {
      const r = await fetch(`http://127.0.0.1:${served.port}/o`, { headers });
      await r.text();
      await waitFor(() => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.SERVER), 5000, 'the server span');
      const serverSpan = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)!;
      exporter.reset();
      return { out: seen.splice(0)[0]!, serverSpan };
    };
    return call;
  }

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parentId = '00f067aa0ba902b7';

  it('takes B3 in and sends W3C (and B3) out, in the same trace', async () => {
    const call = await relay(['b3', 'tracecontext']);
    const { out, serverSpan } = await call({ b3: `${traceId}-${parentId}-1` });
    expect(serverSpan.spanContext().traceId).toBe(traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(parentId);
    expect(String(out.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(String(out.b3)).toMatch(new RegExp(`^${traceId}-[0-9a-f]{16}-1$`));
  });

  it('takes W3C in and sends B3 multi headers out, in the same trace', async () => {
    const call = await relay(['tracecontext', 'b3multi']);
    const { out, serverSpan } = await call({ traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'vendor=opaque' });
    expect(serverSpan.parentSpanContext?.spanId).toBe(parentId);
    expect(out['x-b3-traceid']).toBe(traceId);
    expect(out['x-b3-sampled']).toBe('1');
    expect(String(out.traceparent)).toMatch(new RegExp(`^00-${traceId}-`));
    expect(out.tracestate).toBe('vendor=opaque');
  });

  it('starts a new trace on a malformed traceparent and never passes it on; drops an invalid tracestate', async () => {
    const call = await relay(['tracecontext']);
    const bad = `00-${traceId.toUpperCase()}-${parentId}-01`;
    const first = await call({ traceparent: bad, tracestate: 'k=v' });
    expect(first.serverSpan.spanContext().traceId).not.toBe(traceId);
    expect(first.serverSpan.parentSpanContext).toBeUndefined();
    expect(String(first.out.traceparent)).not.toContain(traceId.toUpperCase());
    expect(first.out.tracestate).toBeUndefined();
    const second = await call({ traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'Bad Key=v' });
    expect(second.serverSpan.spanContext().traceId).toBe(traceId);
    expect(second.out.tracestate).toBeUndefined();
  });
});

describe('access log lines while tracing', () => {
  it("carry the trace and span ids of the call's span and of the server span", async () => {
    const { exporter, provider } = memoryProvider();
    const dir = mkdtempSync(join(tmpdir(), 'inmesh-trace-log-'));
    try {
      const path = join(dir, 'access.log');
      const { server } = await recordingBackend();
      const mesh: Mesh = await createMesh({
        service: 'orders',
        config: { services: { inventory: { tls: 'none', endpoints: [server.address] } }, telemetry: { accessLog: { path } } },
        tracerProvider: provider,
      });
      const served = await mesh.serve(async (req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        await (await mesh.request('http://inventory/s')).body.text();
        res.end('ok');
      }, { port: 0 });
      await (await fetch(`http://127.0.0.1:${served.port}/o`)).text();
      await mesh.close();
      const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
      const spans = exporter.getFinishedSpans();
      const serverSpan = spans.find((sp) => sp.kind === SpanKind.SERVER)!;
      const callSpan = spans.find((sp) => sp.kind === SpanKind.CLIENT && sp.attributes['inmesh.source.service'] === 'orders')!;
      const inbound = lines.find((l) => l.direction === 'inbound')!;
      const outbound = lines.find((l) => l.direction === 'outbound')!;
      expect([inbound.trace_id, inbound.span_id]).toEqual([serverSpan.spanContext().traceId, serverSpan.spanContext().spanId]);
      expect([outbound.trace_id, outbound.span_id]).toEqual([callSpan.spanContext().traceId, callSpan.spanContext().spanId]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
