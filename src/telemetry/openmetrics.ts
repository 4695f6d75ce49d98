/**
 * OpenMetrics 1.0 text exposition of a registry's metrics (as `registry.getMetricsAsJSON()` gives
 * them), with exemplars. prom-client has an OpenMetrics mode, but it is a content type of the
 * whole Registry (so one scrape's format would leak into a concurrent one), it renames counters
 * in place while rendering (`inmesh_retries_total` would lose `_total` in the next text scrape)
 * and prints NaN as `Nan`; so the mesh renders OpenMetrics itself, and leaves the 0.0.4 text
 * format to prom-client.
 */

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** One metric family as prom-client's `get()` gives it. */
export interface FamilySnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values?: ReadonlyArray<{
    readonly metricName?: string;
    readonly labels?: Readonly<Record<string, string | number>>;
    readonly value: number;
    readonly exemplar?: { readonly labelSet?: Readonly<Record<string, string | number>>; readonly value: number | null; readonly timestamp?: number } | null;
  }>;
}

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'gaugehistogram', 'stateset', 'info']);

/** The OpenMetrics exposition of `families`, ending with `# EOF`. */
export function renderOpenMetrics(families: readonly FamilySnapshot[]): string {
  const lines: string[] = [];
  for (const f of families) {
    const counter = f.type === 'counter';
    // OpenMetrics names a counter family without `_total` and its sample with it.
    const family = counter ? f.name.replace(/_total$/, '') : f.name;
    lines.push(`# TYPE ${family} ${TYPES.has(f.type) ? f.type : 'unknown'}`);
    lines.push(`# HELP ${family} ${escape(f.help)}`);
    for (const v of f.values ?? []) {
      const sample = counter ? `${family}_total` : (v.metricName ?? f.name);
      let line = `${sample}${labelSet(v.labels)} ${formatNumber(v.value)}`;
      const e = v.exemplar;
      // Exemplars are allowed on counter samples and histogram buckets only.
      const mayCarry = counter || (f.type === 'histogram' && sample.endsWith('_bucket'));
      if (mayCarry && e && e.value !== null && e.labelSet && Object.keys(e.labelSet).length > 0) {
        line += ` # ${labelSet(e.labelSet)} ${formatNumber(e.value)}${e.timestamp === undefined ? '' : ` ${formatNumber(e.timestamp)}`}`;
      }
      lines.push(line);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function labelSet(labels: Readonly<Record<string, string | number>> | undefined): string {
  if (labels === undefined) return '';
  let out = '';
  for (const [k, v] of Object.entries(labels)) {
    if (v === undefined) continue;
    out += `${out === '' ? '' : ','}${k}="${escape(String(v))}"`;
  }
  return out === '' ? '' : `{${out}}`;
}

/** OpenMetrics escapes backslash, double quote and line feed, in label values and in HELP alike. */
function escape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
