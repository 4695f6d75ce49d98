import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { renderOpenMetrics } from '../../../src/telemetry/openmetrics.js';
import { prefersOpenMetrics } from '../../../src/telemetry/metrics-handler.js';
import { HistogramMetric } from '../../../src/telemetry/histogram-metric.js';
import { CounterMetric } from '../../../src/telemetry/counter-metric.js';
import { MeshMetrics } from '../../../src/telemetry/mesh-metrics.js';

describe('renderOpenMetrics', () => {
  it('names counter families without _total and their samples with it, and ends with # EOF', () => {
    const text = renderOpenMetrics([
      { name: 'inmesh_retries_total', help: 'Retries.', type: 'counter', values: [{ labels: { reason: 'reset' }, value: 2 }] },
      { name: 'plain_counter', help: 'No suffix.', type: 'counter', values: [{ value: 1 }] },
    ]);
    expect(text).toBe(
      [
        '# TYPE inmesh_retries counter',
        '# HELP inmesh_retries Retries.',
        'inmesh_retries_total{reason="reset"} 2',
        '# TYPE plain_counter counter',
        '# HELP plain_counter No suffix.',
        'plain_counter_total 1',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('escapes HELP and label values as OpenMetrics requires, and spells NaN and infinities', () => {
    const text = renderOpenMetrics([{ name: 'g', help: 'a "quoted"\\ help\nline', type: 'gauge', values: [{ labels: { v: 'x"y\\z\nw' }, value: NaN }, { value: -Infinity }] }]);
    expect(text).toContain('# HELP g a \\"quoted\\"\\\\ help\\nline\n');
    expect(text).toContain('g{v="x\\"y\\\\z\\nw"} NaN\n');
    expect(text).toContain('g -Inf\n');
  });

  it('prints an exemplar on the bucket it belongs to, and only on buckets', async () => {
    const h = new HistogramMetric('d_seconds', 'Durations.');
    h.series({ route: 'r' }).observeWithExemplar(0.003, '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 1_700_000_000_123);
    const text = renderOpenMetrics([h.get()]);
    const lines = text.split('\n');
    const withExemplar = lines.filter((l) => l.includes(' # {'));
    expect(withExemplar).toEqual(['d_seconds_bucket{route="r",le="0.005"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736",span_id="00f067aa0ba902b7"} 0.003 1700000000.123']);
    expect(lines).toContain('d_seconds_count{route="r"} 1');
    expect(lines.at(-2)).toBe('# EOF');
  });

  it("renders a real registry's families (ours and prom-client's own) without touching the text format", async () => {
    const registry = new Registry();
    const metrics = new MeshMetrics({ service: 'checkout', registry });
    metrics.retries.inc({ destination_service: 'orders', route: 'default', reason: 'reset' });
    const { Counter } = await import('prom-client');
    new Counter({ name: 'app_jobs_total', help: 'Jobs.', registers: [registry] }).inc();
    const before = await registry.metrics();
    const open = renderOpenMetrics((await registry.getMetricsAsJSON()) as never);
    expect(open).toContain('inmesh_retries_total{destination_service="orders",route="default",reason="reset"} 1');
    expect(open).toContain('# TYPE app_jobs counter\n# HELP app_jobs Jobs.\napp_jobs_total 1');
    // prom-client's own OpenMetrics mode renames counters in place; ours leaves the next text scrape alone.
    expect(await registry.metrics()).toBe(before);
    expect(before).toContain('# TYPE inmesh_retries_total counter');
  });

  it('leaves exemplars out of the 0.0.4 text format', async () => {
    const registry = new Registry();
    const h = new HistogramMetric('d_seconds', 'Durations.', registry);
    h.series({}).observeWithExemplar(0.003, 'a'.repeat(32), 'b'.repeat(16), Date.now());
    const text = await registry.metrics();
    expect(text).toContain('d_seconds_bucket{le="0.005"} 1\n');
    expect(text).not.toContain('trace_id');
  });

  it('keeps counters that MeshMetrics registers valid after an OpenMetrics render', () => {
    const c = new CounterMetric('x_total', 'X.', ['a']);
    c.inc({ a: '1' });
    renderOpenMetrics([c.get()]);
    expect(c.get().name).toBe('x_total');
  });
});

describe('prefersOpenMetrics', () => {
  it.each([
    [undefined, false],
    ['*/*', false],
    ['text/plain', false],
    ['application/openmetrics-text', true],
    // What Prometheus 2.x sends.
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', true],
    ['text/plain;version=0.0.4;q=1, application/openmetrics-text;q=0.5', false],
    ['application/openmetrics-text;q=0', false],
  ])('Accept %s → %s', (accept, want) => {
    expect(prefersOpenMetrics(accept)).toBe(want);
  });
});

describe('CallSeries with a trace', () => {
  it('keeps the trace as the exemplar of the bucket, for statuses and errors alike', () => {
    const metrics = new MeshMetrics({ service: 'checkout' });
    const calls = metrics.callSeries('orders', 'default');
    calls.status(200, 0.003, { traceId: 't'.repeat(32), spanId: 's'.repeat(16) });
    calls.status(200, 0.004);
    calls.error('timeout', 1.5, { traceId: 'u'.repeat(32), spanId: 'v'.repeat(16) });
    const text = renderOpenMetrics([metrics.clientDuration.get()]);
    expect(text).toContain(`http_response_status_code="200",error_type="",le="0.005"} 2 # {trace_id="${'t'.repeat(32)}",span_id="${'s'.repeat(16)}"} 0.003 `);
    expect(text).toContain(`error_type="timeout",le="2.5"} 1 # {trace_id="${'u'.repeat(32)}",span_id="${'v'.repeat(16)}"} 1.5 `);
    expect(text.match(/ # \{/g)).toHaveLength(2);
  });
});
