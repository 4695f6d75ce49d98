import type { ServiceStats } from '../index.js';

function ms(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const v = seconds * 1000;
  return v < 1 ? `${(v * 1000).toFixed(0)}µs` : v < 100 ? `${v.toFixed(1)}ms` : `${v.toFixed(0)}ms`;
}

function pct(ok: number, total: number): string {
  return total === 0 ? '-' : `${((100 * ok) / total).toFixed(2)}%`;
}

/**
 * The golden-metrics table: per service and per route (logical calls over the stats window, with
 * the window's own rate), and per endpoint (attempts; their rate over the run's `seconds`, since
 * endpoint counts are kept from the start).
 */
export function formatStatsTable(stats: readonly ServiceStats[], seconds: number): string {
  const rows: string[][] = [['SERVICE / ROUTE / ENDPOINT', 'REQUESTS', 'SHARE', 'SUCCESS', 'RPS', 'P50', 'P95', 'P99']];
  for (const s of stats) {
    rows.push([s.service, String(s.requests), '', pct(s.requests - s.failures, s.requests), s.rps.toFixed(0), ms(s.p50), ms(s.p95), ms(s.p99)]);
    // One route says nothing the service row does not; a route with no calls, nothing at all.
    const called = s.routes.filter((r) => r.requests > 0);
    if (called.length > 1) {
      for (const r of called) rows.push([`  route ${r.route}`, String(r.requests), pct(r.requests, s.requests), pct(r.requests - r.failures, r.requests), r.rps.toFixed(0), ms(r.p50), ms(r.p95), ms(r.p99)]);
    }
    const total = s.endpoints.reduce((n, e) => n + e.requests, 0);
    for (const e of s.endpoints) {
      rows.push([`  ${e.address}`, String(e.requests), pct(e.requests, total), pct(e.requests - e.failures, e.requests), (e.requests / seconds).toFixed(0), ms(e.p50), ms(e.p95), ms(e.p99)]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}
