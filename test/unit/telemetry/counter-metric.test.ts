import { describe, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { CounterMetric, MeshMetrics } from '../../../src/telemetry/index.js';

describe('CounterMetric', () => {
  it('scrapes as the prom-client Counter it stands for', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const mine = new CounterMetric<'destination_service' | 'reason'>('inmesh_test_total', 'Test counts.', ['destination_service', 'reason']);
    ours.registerMetric(mine as never);
    const reference = new Counter({ name: 'inmesh_test_total', help: 'Test counts.', labelNames: ['destination_service', 'reason'], registers: [theirs] });
    for (const c of [mine, reference]) {
      c.inc({ destination_service: 'orders', reason: '503' });
      c.inc({ reason: '503', destination_service: 'orders' }, 2);
      c.labels({ destination_service: 'users', reason: 'reset' }).inc();
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getSingleMetricAsString('inmesh_test_total')).toContain('inmesh_test_total{destination_service="orders",reason="503"} 3');
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

describe('MeshMetrics', () => {
  it('keeps what was counted before its registry was first asked for', async () => {
    const metrics = new MeshMetrics({ service: 'checkout' });
    metrics.configReloads.inc({ result: 'applied' });
    metrics.retries.inc({ destination_service: 'orders', route: '', reason: 'reset' });
    metrics.callSeries('orders', '').status(200, 0.01);
    const text = await metrics.registry.metrics();
    expect(text).toContain('inmesh_config_reloads_total{result="applied"} 1');
    expect(text).toContain('inmesh_retries_total{destination_service="orders",route="",reason="reset"} 1');
    expect(text).toContain('http_client_request_duration_seconds_count{source_service="checkout",destination_service="orders",route="",http_response_status_code="200",error_type=""} 1');
    expect(metrics.registry).toBe(metrics.registry);
  });

  it('registers into the registry it is given, at once', async () => {
    const registry = new Registry();
    const metrics = new MeshMetrics({ service: 'checkout', registry });
    expect(metrics.registry).toBe(registry);
    metrics.hedges.inc({ destination_service: 'orders', route: 'reads' });
    expect(await registry.getSingleMetricAsString('inmesh_hedges_total')).toContain('inmesh_hedges_total{destination_service="orders",route="reads"} 1');
  });
});
