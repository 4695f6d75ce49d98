import type { ServiceStats } from '../index.js';

function ms(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const v = seconds * 1000;
  return v < 1 ? `${(v * 1000).toFixed(0)}µs` : v < 100 ? `${v.toFixed(1)}ms` : `${v.toFixed(0)}ms`;
}

function pct(ok: number, total: number): string {
  return total === 0 ? '-' : `${((100 * ok) / total).toFixed(2)}%`;
}

/** The golden-metrics table: per service (logical calls) and per endpoint (attempts). */
export function formatStatsTable(stats: readonly ServiceStats[], seconds: number): string {
  const rows: string[][] = [['SERVICE / ENDPOINT', 'REQUESTS', 'SHARE', 'SUCCESS', 'RPS', 'P50', 'P90', 'P99']];
  for (const s of stats) {
    rows.push([s.service, String(s.requests), '', pct(s.requests - s.failures, s.requests), (s.requests / seconds).toFixed(0), ms(s.p50), ms(s.p90), ms(s.p99)]);
    const total = s.endpoints.reduce((n, e) => n + e.requests, 0);
    for (const e of s.endpoints) {
      rows.push([`  ${e.address}`, String(e.requests), pct(e.requests, total), pct(e.requests - e.failures, e.requests), (e.requests / seconds).toFixed(0), ms(e.p50), ms(e.p90), ms(e.p99)]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}
