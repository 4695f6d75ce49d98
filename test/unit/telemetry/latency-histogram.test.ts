import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { LatencyHistogram, EXPORT_BOUNDS } from '../../../src/telemetry/latency-histogram.js';
import { HistogramMetric } from '../../../src/telemetry/histogram-metric.js';

describe('LatencyHistogram', () => {
  it('estimates percentiles within a bucket (~10%) of the truth', () => {
    const h = new LatencyHistogram();
    // 1..1000 ms, uniformly.
    for (let i = 1; i <= 1000; i++) h.observe(i / 1000);
    expect(h.count).toBe(1000);
    for (const [q, want] of [[0.5, 0.5], [0.9, 0.9], [0.99, 0.99]] as const) {
      expect(Math.abs(h.percentile(q) - want) / want).toBeLessThan(0.1);
    }
    expect(h.sum).toBeCloseTo(500.5, 6);
  });

  it('exports cumulative Prometheus buckets at the exported bounds', () => {
    const h = new LatencyHistogram();
    h.observe(0.00005);
    h.observe(0.0003);
    h.observe(0.003);
    h.observe(50);
    const b = h.exportBuckets();
    expect(b).toHaveLength(EXPORT_BOUNDS.length + 1);
    expect(b[EXPORT_BOUNDS.indexOf(0.0001)]).toBe(1);
    expect(b[EXPORT_BOUNDS.indexOf(0.0005)]).toBe(2);
    expect(b[EXPORT_BOUNDS.indexOf(0.005)]).toBe(3);
    expect(b[EXPORT_BOUNDS.length - 1]).toBe(3);
    expect(b[EXPORT_BOUNDS.length]).toBe(4);
  });

  it('adds histograms together', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.observe(0.001);
    b.observe(0.002);
    b.observe(0.003);
    expect(new LatencyHistogram().add(a).add(b).count).toBe(3);
  });
});

describe('HistogramMetric', () => {
  it('is scraped by prom-client as a histogram with labels', async () => {
    const registry = new Registry();
    const m = new HistogramMetric('test_duration_seconds', 'help text', registry);
    m.series({ route: 'a' }).observe(0.002);
    m.series({ route: 'a' }).observe(0.004);
    m.series({ route: 'b' });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_duration_seconds histogram');
    expect(text).toContain('test_duration_seconds_bucket{route="a",le="0.0025"} 1');
    expect(text).toContain('test_duration_seconds_bucket{route="a",le="+Inf"} 2');
    expect(text).toContain('test_duration_seconds_count{route="a"} 2');
    expect(text).not.toContain('route="b"');
  });
});

describe('LatencyHistogram before its first observation', () => {
  it('reads as empty, and merges and resets like any other', () => {
    const empty = new LatencyHistogram();
    expect(empty.percentile(0.5)).toBeNaN();
    expect(empty.exportBuckets()).toEqual(new Array(EXPORT_BOUNDS.length + 1).fill(0));
    const merged = new LatencyHistogram().add(empty);
    expect(merged.count).toBe(0);
    const seen = new LatencyHistogram();
    seen.observe(0.002);
    merged.add(seen).add(empty);
    expect(merged.count).toBe(1);
    expect(merged.exportBuckets()[EXPORT_BOUNDS.indexOf(0.0025)]).toBe(1);
    expect(merged.percentile(0.5)).toBeGreaterThan(0.001);
    merged.reset();
    expect(merged.exportBuckets().every((n) => n === 0)).toBe(true);
    empty.reset();
    expect(empty.count).toBe(0);
  });
});

describe('LatencyHistogram exemplars', () => {
  it('keeps the latest traced observation of each exported bucket, and none for plain observations', () => {
    const h = new LatencyHistogram();
    h.observe(0.003);
    expect(h.exportExemplars()).toBeUndefined();
    h.observeWithExemplar(0.003, 't1', 's1', 1000);
    h.observeWithExemplar(0.004, 't2', 's2', 2000);
    h.observeWithExemplar(0.1, 't3', 's3', 3000); // exactly on a bound: that bucket (le is inclusive)
    h.observeWithExemplar(99, 't4', 's4', 4000);
    const e = h.exportExemplars()!;
    expect(e[EXPORT_BOUNDS.indexOf(0.005)]).toEqual({ traceId: 't2', spanId: 's2', value: 0.004, timestampMs: 2000 });
    expect(e[EXPORT_BOUNDS.indexOf(0.1)]?.traceId).toBe('t3');
    expect(e[EXPORT_BOUNDS.length]?.traceId).toBe('t4');
    expect(e.filter(Boolean)).toHaveLength(3);
    expect(h.count).toBe(5);
    expect(h.exportBuckets()[EXPORT_BOUNDS.indexOf(0.005)]).toBe(3);
    h.reset();
    expect(h.exportExemplars()).toBeUndefined();
  });
});
