import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyMesh, type BusyMesh } from './busy-mesh.js';
import { promtoolCheck, scrape, valueOf } from './exposition.js';

let busy: BusyMesh;
beforeAll(async () => {
  busy = await busyMesh();
});
afterAll(() => busy?.close());

describe('the exposition of a mesh that has served and called', () => {
  it('counts every mesh event it has seen', async () => {
    const { body } = await scrape(`${busy.mesh.admin!.url}/metrics`);
    const bad = busy.bad.address;
    expect(valueOf(body, 'inmesh_retries_total{destination_service="orders",route="default",reason="503"}')).toBeGreaterThan(0);
    expect(valueOf(body, 'inmesh_retry_budget_exhausted_total{destination_service="stingy",route="default"}')).toBe(1);
    expect(valueOf(body, 'inmesh_authz_denied_total{service="checkout",reason="deny-rule"}')).toBe(1);
    expect(valueOf(body, 'inmesh_config_reloads_total{result="applied"}')).toBe(2);
    expect(valueOf(body, `inmesh_endpoint_ejections_total{destination_service="orders",endpoint="${bad}"}`)).toBe(1);
    expect(body).not.toContain('outlier_ejections');
    // Gauges read at scrape time.
    expect(valueOf(body, 'inmesh_endpoints{destination_service="orders",state="ejected"}')).toBe(1);
    expect(valueOf(body, 'inmesh_endpoints{destination_service="orders",state="healthy"}')).toBe(1);
    expect(valueOf(body, 'inmesh_requests_in_flight{destination_service="orders"}')).toBe(0);
    expect(valueOf(body, 'inmesh_server_requests_in_flight{service="checkout"}')).toBe(0);
    expect(valueOf(body, 'http_server_request_duration_seconds_count{service="checkout",route="",http_request_method="GET",http_response_status_code="403"}')).toBe(1);
  });

  it('counts a programmatic reload that fails validation as rejected, and keeps the config', async () => {
    await expect(busy.mesh.reload({ services: { orders: { timeout: 'soon' } } })).rejects.toMatchObject({ code: 'MESH_ERR_CONFIG_INVALID' });
    const { body } = await scrape(`${busy.mesh.admin!.url}/metrics`);
    expect(valueOf(body, 'inmesh_config_reloads_total{result="rejected"}')).toBe(1);
    expect(Object.keys(busy.mesh.config.services)).toContain('self');
  });

  it('passes promtool check metrics in the text format', async () => {
    const { body, contentType } = await scrape(`${busy.mesh.admin!.url}/metrics`);
    expect(contentType).toContain('text/plain; version=0.0.4');
    const r = await promtoolCheck(body);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  // promtool 2.42's `check metrics` reads only the 0.0.4 text format (it refuses OpenMetrics' escaped
  // quotes in HELP), so the OpenMetrics exposition is parsed by a real Prometheus in prometheus.test.ts;
  // here its shape is checked against the rules that differ from the text format.
  it('serves OpenMetrics when asked: counter families without _total, samples with it, # EOF last', async () => {
    const { body, contentType } = await scrape(`${busy.mesh.admin!.url}/metrics`, 'application/openmetrics-text; version=1.0.0');
    expect(contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const lines = body.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe('# EOF');
    expect(lines.filter((l) => l === '# EOF')).toHaveLength(1);
    const counters = lines.filter((l) => l.startsWith('# TYPE ') && l.endsWith(' counter')).map((l) => l.split(' ')[2]!);
    expect(counters).toContain('inmesh_retries');
    for (const c of counters) expect(c.endsWith('_total')).toBe(false);
    expect(body).toContain('inmesh_retries_total{destination_service="orders"');
    expect(body).not.toMatch(/^inmesh_retries\{/m);
    expect(lines.filter((l) => l === '')).toHaveLength(1); // no blank lines inside (the text format's separators)
  });
});
