import { formatDuration } from './duration.js';
import type { ConfigSnapshot, DiscoveryConfig, RetryConfig, RouteConfig, ServiceConfig, StringMatch } from './types.js';

const ms = (v: number | undefined) => (v === undefined ? '-' : formatDuration(v));
const pct = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

/**
 * A one-screen, human summary of a snapshot (what `inmesh check` prints): each service with where its
 * endpoints come from, balancer, TLS, timeouts, retries, breaker and routes; authorization; listeners.
 *
 * @example
 * console.log(summarizeConfig(loadMeshConfigFile('mesh.yaml')));
 */
export function summarizeConfig(snapshot: ConfigSnapshot): string {
  const c = snapshot.config;
  const lines = [
    `mesh ${c.mesh} (trust domain ${c.trustDomain}), version ${snapshot.version} from ${snapshot.source}`,
    `identity: ${identity(snapshot)}${c.control ? `   control: ${c.control.url} (store ${c.control.store})` : ''}`,
    `outbound: ${c.outbound}   admin: ${c.admin.port === undefined ? 'off' : `${c.admin.host}:${c.admin.port}`}   inbound: ${c.inbound.host}:${c.inbound.port}`,
    `telemetry: tracing ${c.telemetry.tracing.exporter}${c.telemetry.tracing.exporter === 'none' ? '' : ` (sampling ${pct(c.telemetry.tracing.sampleRatio)})`}, access log ${c.telemetry.accessLog ? (c.telemetry.accessLog.sampleRatio < 1 ? `on (${pct(c.telemetry.accessLog.sampleRatio)})` : 'on') : 'off'}`,
  ];
  const services = Object.values(c.services);
  lines.push(`services (${services.length}):`);
  for (const svc of services) lines.push(...service(svc));
  const auth = Object.entries(c.authorization);
  if (auth.length > 0) {
    lines.push('authorization:');
    for (const [name, rules] of auth) {
      if (rules.length === 0) lines.push(`  ${name}: deny all`);
      for (const r of rules) {
        const who = [r.from?.join(', '), r.principals?.map((p) => `principal ${p}`).join(', '), r.claims && `claims ${Object.keys(r.claims).join(',')}`].filter(Boolean).join(' ');
        lines.push(`  ${name}: ${r.action} ${who || 'anyone'} ${r.methods?.join(',') ?? 'any method'} ${r.paths?.join(', ') ?? 'any path'}`);
      }
    }
  }
  const authn = Object.entries(c.authentication);
  if (authn.length > 0) {
    lines.push('authentication:');
    for (const [name, a] of authn) for (const p of a.jwt) lines.push(`  ${name}: jwt from ${p.issuer} (${p.jwksUri ?? 'inline keys'})`);
  }
  return lines.join('\n');
}

function identity(s: ConfigSnapshot): string {
  const id = s.config.identity;
  const served = `; serves mTLS ${s.config.inbound.mtls === 'strict' ? 'only (strict)' : 'and plaintext (permissive)'}`;
  if (id.mode === 'dev') return `dev (${id.dir}, certificates for ${formatDuration(id.certTtl)})${served}`;
  if (id.mode === 'control') return `control (certificates for ${formatDuration(id.certTtl)})${served}`;
  if (id.mode === 'files') return `files (${id.certFile})${served}`;
  return 'none (no mTLS)';
}

function service(svc: ServiceConfig): string[] {
  const lb = svc.loadBalancer;
  const out = [
    `  ${svc.name}: ${discovery(svc.discovery)}`,
    `    tls ${svc.tls}, lb ${lb.kind}${lb.kind === 'ring-hash' ? ` on ${lb.hashHeader ?? 'path'}` : ''}, timeout ${ms(svc.timeout)}, per try ${ms(svc.perTryTimeout)}, ${svc.connections} connections per endpoint`,
    `    retries: ${retries(svc.retries)}`,
  ];
  const resilience: string[] = [];
  const cb = svc.circuitBreaker;
  if (cb) resilience.push(`breaker opens at ${cb.errorThresholdPercentage}% errors over ${cb.volumeThreshold}+ calls, retries after ${ms(cb.resetTimeout)}`);
  const od = svc.outlierDetection;
  if (od) resilience.push(`outliers ejected after ${od.consecutive5xx} 5xx for ${ms(od.baseEjectionTime)} (max ${od.maxEjectionPercent}%)`);
  if (svc.concurrency) resilience.push(`at most ${svc.concurrency.maxInFlight} in flight, ${svc.concurrency.maxPending} queued`);
  if (resilience.length > 0) out.push(`    ${resilience.join('; ')}`);
  const subsets = Object.entries(svc.subsets);
  if (subsets.length > 0) out.push(`    subsets: ${subsets.map(([n, l]) => `${n} {${labels(l)}}`).join(', ')}`);
  for (const r of svc.routes) out.push(`    route ${r.name}: ${route(r)}`);
  return out;
}

function discovery(d: DiscoveryConfig): string {
  if (d.kind === 'control') return 'endpoints from the control registry';
  if (d.kind === 'dns') return `dns ${d.type} ${d.name}${d.port ? `:${d.port}` : ''} every ${formatDuration(d.interval)}`;
  if (d.endpoints.length === 0) return 'no endpoints';
  return d.endpoints.map((e) => (Object.keys(e.labels).length > 0 ? `${e.address} {${labels(e.labels)}}` : e.address)).join(', ');
}

function retries(r: RetryConfig): string {
  if (r.attempts <= 1) return 'off';
  return `${r.attempts} attempts on ${r.on.join(', ')}, budget ${pct(r.budget)} + ${r.minRetriesPerSecond}/s, backoff ${ms(r.backoff.base)}..${ms(r.backoff.max)}${r.retryNonIdempotent ? ', non-idempotent too' : ''}`;
}

function route(r: RouteConfig): string {
  const when: string[] = [];
  if (r.match.path) when.push(`path ${match(r.match.path)}`);
  if (r.match.methods) when.push(r.match.methods.join('|'));
  for (const [h, m] of Object.entries(r.match.headers)) when.push(`${h} ${match(m)}`);
  const to = r.backends.map((b) => `${b.subset ?? 'all'}${r.backends.length > 1 ? ` ${b.weight}%` : ''}`).join(', ');
  const extra: string[] = [];
  if (r.timeout !== undefined) extra.push(`timeout ${ms(r.timeout)}`);
  if (r.retries) extra.push(`retries ${retries(r.retries)}`);
  if (r.hedge) extra.push(`hedge after ${ms(r.hedge.delay)} (max ${r.hedge.maxAttempts})`);
  if (r.mirror) extra.push(`mirror ${r.mirror.percent}% to ${r.mirror.subset ?? 'all'}`);
  if (r.fault?.delay) extra.push(`delay ${r.fault.delay.percent}% by ${ms(r.fault.delay.duration)}`);
  if (r.fault?.abort) extra.push(`abort ${r.fault.abort.percent}% with ${r.fault.abort.status}`);
  return `${when.length > 0 ? when.join(' ') : 'any request'} → ${to}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
}

function match(m: StringMatch): string {
  if ('exact' in m) return `= ${m.exact}`;
  if ('prefix' in m) return `${m.prefix}*`;
  if ('regex' in m) return `~ /${m.regex}/`;
  return m.present ? 'present' : 'absent';
}

const labels = (l: Readonly<Record<string, string>>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
