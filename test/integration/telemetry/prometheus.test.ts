import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { inboundOf } from '../../../src/server/inbound-host.js';
import { busyMesh, type BusyMesh } from './busy-mesh.js';
import { systemTool } from './exposition.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

let busy: BusyMesh;
let prometheus: ChildProcess | undefined;
let dir: string;
let api: string;
let log = '';

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await request(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.body.json()) as { status: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return body.status === 'success' ? body.data!.result : [];
}

/** Polls `fn` until it gives a value, for at most `ms` (Prometheus scrapes every second). */
async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`Prometheus did not show ${what} within ${ms} ms; its log:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const nonEmpty = async (q: string) => {
  const r = await query(q);
  return r.length > 0 ? r : undefined;
};

beforeAll(async () => {
  const binary = systemTool('prometheus');
  busy = await busyMesh();
  // The tracing layer will pass the request's span; here the plumbing is called as it will be.
  inboundOf(busy.mesh).env.metrics.observe('GET', '/traced', 200, 0.042, undefined, { traceId: TRACE_ID, spanId: SPAN_ID });
  dir = mkdtempSync(join(tmpdir(), 'inmesh-prometheus-'));
  const adminPort = new URL(busy.mesh.admin!.url).port;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: inmesh',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${adminPort}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  // Prometheus 2.42 asks for OpenMetrics first (its default Accept), so these scrapes read the OpenMetrics exposition.
  prometheus = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  prometheus.stderr!.on('data', (d: Buffer) => (log += d.toString()));
}, 30_000);

afterAll(async () => {
  const p = prometheus;
  if (p?.pid !== undefined && p.exitCode === null) {
    const exited = once(p, 'exit');
    p.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (p.exitCode === null) p.kill('SIGKILL');
  }
  await busy?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 20_000);

describe('a real Prometheus scraping a mesh', () => {
  it('scrapes the target (OpenMetrics) and stores the histograms, inmesh_* counters and gauges', async () => {
    const up = await eventually('up{job="inmesh"} == 1', () => nonEmpty('up{job="inmesh"} == 1'));
    expect(up).toHaveLength(1);
    const targets = (await (await request(`${api}/api/v1/targets`)).body.json()) as { data: { activeTargets: Array<{ health: string; lastError: string }> } };
    expect(targets.data.activeTargets.map((t) => [t.health, t.lastError])).toEqual([['up', '']]);

    const buckets = await eventually('client histogram buckets', () => nonEmpty('http_client_request_duration_seconds_bucket{destination_service="orders",le="+Inf"}'));
    expect(buckets.map((r) => r.metric.http_response_status_code)).toContain('200');
    await eventually('server histogram', () => nonEmpty('http_server_request_duration_seconds_count{service="checkout",http_response_status_code="403"}'));
    await eventually('endpoint histogram', () => nonEmpty('inmesh_endpoint_request_duration_seconds_bucket'));

    const retries = await eventually('inmesh_retries_total', () => nonEmpty('inmesh_retries_total{destination_service="orders"} > 0'));
    expect(retries[0]!.metric.reason).toBe('503');
    await eventually('budget exhausted', () => nonEmpty('inmesh_retry_budget_exhausted_total{destination_service="stingy"} == 1'));
    await eventually('a denial', () => nonEmpty('inmesh_authz_denied_total{reason="deny-rule"} == 1'));
    await eventually('reloads', () => nonEmpty('inmesh_config_reloads_total{result="applied"} >= 2'));
    await eventually('an ejection', () => nonEmpty(`inmesh_endpoint_ejections_total{endpoint="${busy.bad.address}"} == 1`));

    const endpoints = await eventually('inmesh_endpoints', () => nonEmpty('inmesh_endpoints{destination_service="orders"}'));
    expect(Object.fromEntries(endpoints.map((r) => [r.metric.state, Number(r.value[1])]))).toEqual({ healthy: 1, ejected: 1, open: 0 });
    const circuit = await eventually('inmesh_circuit_state', () => nonEmpty('inmesh_circuit_state{destination_service="orders"} == 1'));
    // One current state per breaker: the two endpoints' and the service-wide guard's.
    expect(circuit).toHaveLength(3);
    await eventually('outbound in flight', () => nonEmpty('inmesh_requests_in_flight{destination_service="orders"}'));
    await eventually('inbound in flight', () => nonEmpty('inmesh_server_requests_in_flight{service="checkout"}'));
  }, 60_000);

  it("keeps the histogram's exemplar, with the trace id the mesh recorded", async () => {
    const found = await eventually('an exemplar', async () => {
      const now = Date.now() / 1000;
      const q = encodeURIComponent('http_server_request_duration_seconds_bucket{route="/traced"}');
      const res = await request(`${api}/api/v1/query_exemplars?query=${q}&start=${now - 600}&end=${now + 60}`);
      const body = (await res.body.json()) as { data?: Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string }> }> };
      return body.data && body.data.length > 0 ? body.data : undefined;
    });
    expect(found[0]!.seriesLabels.le).toBe('0.05');
    expect(found[0]!.exemplars[0]!.labels).toEqual({ trace_id: TRACE_ID, span_id: SPAN_ID });
    expect(Number(found[0]!.exemplars[0]!.value)).toBeCloseTo(0.042, 6);
  }, 40_000);
});
