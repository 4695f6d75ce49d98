import { afterEach, describe, expect, it } from 'vitest';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh, MeshError, type Mesh } from '../../../src/index.js';
import { loadTracingPackage, withPath } from '../../../src/telemetry/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();
afterEach(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('which tracer provider spans go to', () => {
  it("uses the application's registered provider over mesh.yaml's exporter, and picks up one registered after the mesh started", async () => {
    const backend = open.add(await startHttpServer((req, res) => void (req.resume(), res.end('ok'))));
    // No provider yet: the mesh sends no trace headers.
    const seen: Array<string | undefined> = [];
    const recording = open.add(
      await startHttpServer((req, res) => {
        seen.push(req.headers.traceparent as string | undefined);
        req.resume();
        res.end('ok');
      }),
    );
    const mesh: Mesh = open.add(
      await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [recording.address] }, other: { tls: 'none', endpoints: [backend.address] } } } }),
    );
    await (await mesh.request('http://orders/a')).body.text();
    expect(seen).toEqual([undefined]);

    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    // The mesh looks for a registered provider again at most once a second.
    await waitFor(
      async () => {
        await (await mesh.request('http://orders/b')).body.text();
        return seen.at(-1) !== undefined;
      },
      5000,
      'the mesh to find the registered provider',
    );
    expect(exporter.getFinishedSpans().some((s) => s.attributes['inmesh.destination.service'] === 'orders')).toBe(true);

    // A second mesh whose mesh.yaml asks for an exporter still exports through the application's provider.
    const second: Mesh = open.add(
      await createMesh({ service: 'cart', config: { services: { other: { tls: 'none', endpoints: [backend.address] } }, telemetry: { tracing: { exporter: 'console', sampleRatio: 1 } } } }),
    );
    await (await second.request('http://other/c')).body.text();
    const cartSpans = () => exporter.getFinishedSpans().filter((s) => s.attributes['inmesh.destination.service'] === 'other');
    await waitFor(() => cartSpans().length >= 2, 5000, "cart's call and attempt spans");
    expect(cartSpans().find((s) => s.attributes['inmesh.source.service'] === 'cart')).toBeDefined();
    await provider.shutdown();
  });
});

describe('exporter endpoints', () => {
  it("adds the signal's path to a collector's base URL, and keeps a path given", () => {
    expect(withPath('http://127.0.0.1:4318', '/v1/traces')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(withPath('http://collector:4318/', '/v1/traces')).toBe('http://collector:4318/v1/traces');
    expect(withPath('http://collector:4318/custom/traces', '/v1/traces')).toBe('http://collector:4318/custom/traces');
    expect(withPath('http://zipkin:9411', '/api/v2/spans')).toBe('http://zipkin:9411/api/v2/spans');
  });
});

describe('a tracing package that is not installed', () => {
  it('is a config error naming what to install', () => {
    // A folder with no node_modules above it: what a service that installed no SDK resolves.
    const empty = mkdtempSync(join(tmpdir(), 'inmesh-no-sdk-'));
    try {
      const bare = createRequire(join(empty, 'x.js'));
      let err: unknown;
      try {
        loadTracingPackage(bare, '@opentelemetry/exporter-zipkin', 'zipkin');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MeshError);
      expect((err as MeshError).code).toBe('MESH_ERR_CONFIG_INVALID');
      expect((err as Error).message).toBe(
        'telemetry.tracing.exporter: zipkin needs @opentelemetry/exporter-zipkin, which is not installed: npm install @opentelemetry/api @opentelemetry/sdk-trace-node @opentelemetry/exporter-zipkin',
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
