import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { CollectedGauge } from '../../../src/telemetry/collected-gauge.js';

describe('CollectedGauge', () => {
  it('reads its values from the collectors at each scrape, until they are removed', async () => {
    const registry = new Registry();
    const g = new CollectedGauge('pending', 'Pending.', ['service']);
    registry.registerMetric(g as never);
    let n = 1;
    const off = g.addCollector((emit) => emit({ service: 'a' }, n));
    const offB = g.addCollector((emit) => emit({ service: 'b' }, 7));
    expect(await registry.metrics()).toContain('pending{service="a"} 1\npending{service="b"} 7');
    n = 5;
    expect(await registry.metrics()).toContain('pending{service="a"} 5');
    off();
    const text = await registry.metrics();
    expect(text).not.toContain('service="a"');
    expect(text).toContain('pending{service="b"} 7');
    offB();
    expect(g.get().values).toEqual([]);
  });
});
