import { dataRecord } from './data-record.js';
import { DEFAULT_DNS_INTERVAL } from './defaults.js';
import { parseDuration } from './duration.js';
import { parseHostPort } from './endpoint-address.js';
import type { IssueList, PathKey } from './key-path.js';
import type { RawService } from './schema-service.js';
import type { DiscoveryConfig, EndpointSpec } from './types.js';

/**
 * `endpoints:` (static) or `discovery:` ({ dns, port, type, interval, labels } or { control: true }),
 * never both. A service with neither uses the control daemon's registry when `control:` is configured,
 * and is an error otherwise: it could never be called.
 */
export function normalizeDiscovery(raw: RawService, ctx: { readonly hasControl: boolean }, issues: IssueList, path: readonly PathKey[]): DiscoveryConfig {
  if (raw.endpoints !== undefined && raw.discovery !== undefined) {
    issues.add([...path, 'discovery'], 'give either endpoints or discovery, not both', 'key');
  }
  if (raw.endpoints !== undefined) return { kind: 'static', endpoints: staticEndpoints(raw.endpoints, issues, [...path, 'endpoints']) };
  const d = raw.discovery;
  const at = [...path, 'discovery'];
  if (d === undefined) {
    if (ctx.hasControl) return { kind: 'control' };
    issues.add(path, 'no endpoints and no discovery: list endpoints, or set discovery: { dns: <name>, port: <port> } or { control: true }', 'key');
    return { kind: 'static', endpoints: [] };
  }
  if (d.control !== undefined) {
    if (d.dns !== undefined) issues.add(at, 'give either dns or control, not both');
    for (const key of ['port', 'type', 'interval', 'labels'] as const) {
      if (d[key] !== undefined) issues.add([...at, key], `${key} applies to dns discovery, not control`, 'key');
    }
    if (!ctx.hasControl) issues.add([...at, 'control'], 'control discovery needs control: { url: … } at the top level');
    return { kind: 'control' };
  }
  if (d.dns === undefined) {
    issues.add(at, 'discovery needs dns: <name> (with port) or control: true');
    return { kind: 'static', endpoints: [] };
  }
  // `_service._proto.name` is the SRV naming convention: default to SRV for it, to A and AAAA otherwise.
  const type = d.type ?? (d.dns.startsWith('_') ? 'SRV' : 'ANY');
  if (type === 'SRV' && d.port !== undefined) issues.add([...at, 'port'], 'SRV records carry their own ports: remove port', 'key');
  if (type !== 'SRV' && d.port === undefined) issues.add(at, `port is required for ${type} lookups (only SRV records carry ports)`);
  return {
    kind: 'dns',
    name: d.dns,
    port: d.port,
    type,
    interval: d.interval === undefined ? DEFAULT_DNS_INTERVAL : parseDuration(d.interval),
    labels: stringLabels(d.labels),
  };
}

/** Label values may be written as numbers or booleans; the mesh compares strings. */
export function stringLabels(raw: Readonly<Record<string, string | number | boolean>> | undefined): Record<string, string> {
  return dataRecord(Object.entries(raw ?? {}).map(([k, v]) => [k, String(v)] as const));
}

function staticEndpoints(list: NonNullable<RawService['endpoints']>, issues: IssueList, path: readonly PathKey[]): EndpointSpec[] {
  const seen = new Map<string, number>();
  const out: EndpointSpec[] = [];
  list.forEach((entry, i) => {
    const spec = typeof entry === 'string' ? { address: entry } : entry;
    const at = typeof entry === 'string' ? [...path, i] : [...path, i, 'address'];
    const hp = parseHostPort(spec.address);
    if ('error' in hp) {
      issues.add(at, hp.error);
      return;
    }
    const key = `${hp.host.toLowerCase()}:${hp.port}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      issues.add(at, `duplicate endpoint ${spec.address} (already endpoints[${earlier}])`);
      return;
    }
    seen.set(key, i);
    const labels = 'labels' in spec ? spec.labels : undefined;
    out.push({
      address: spec.address,
      host: hp.host,
      port: hp.port,
      labels: stringLabels(labels),
      weight: ('weight' in spec ? spec.weight : undefined) ?? 1,
    });
  });
  return out;
}
