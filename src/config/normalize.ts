import {
  DEFAULT_ADAPTIVE_CONCURRENCY,
  DEFAULT_ADMIN,
  DEFAULT_CERT_TTL,
  DEFAULT_CONTROL_STORE,
  DEFAULT_ETCD_PREFIX,
  DEFAULT_IDENTITY,
  DEFAULT_INBOUND,
  DEFAULT_MESH,
  DEFAULT_OUTBOUND,
  DEFAULT_TELEMETRY,
  DEFAULT_ACCESS_LOG,
  DEFAULT_TRUST_DOMAIN,
} from './defaults.js';
import { LEASE_DEFAULT_SECONDS, LEASE_MIN_SECONDS } from './control-api.js';
import { dataRecord } from './data-record.js';
import { stringLabels } from './normalize-discovery.js';
import { parseDuration } from './duration.js';
import { IssueList, type PathIssue } from './key-path.js';
import { normalizeAuthentication, normalizeAuthorization } from './normalize-access.js';
import { normalizeService } from './normalize-service.js';
import type { RawMesh } from './schema.js';
import type { AdaptiveConcurrencyConfig, ControlConfig, IdentityConfig, InboundConfig, MeshConfig, ServiceConfig, TelemetryConfig } from './types.js';

/** What the text is for, beyond what it says. */
export interface MeshContext {
  /** The control daemon's mesh-wide text (LoadOptions.servedByControl): its services may use the registry. */
  readonly servedByControl?: boolean;
}

export type NormalizeResult = { readonly ok: true; readonly config: MeshConfig } | { readonly ok: false; readonly issues: readonly PathIssue[] };

/**
 * A schema-valid raw mesh.yaml → MeshConfig: every default applied (once, here), durations in ms,
 * and the rules that span several keys checked. Returns every issue found rather than the first.
 *
 * @example
 * const r = normalizeMesh(rawMeshSchema.parse(yaml));
 * if (r.ok) use(r.config); else report(r.issues);
 */
export function normalizeMesh(raw: RawMesh, o: MeshContext = {}): NormalizeResult {
  const issues = new IssueList();
  const hasControl = raw.control !== undefined || o.servedByControl === true;

  const services = dataRecord<ServiceConfig>();
  for (const [name, svc] of Object.entries(raw.services ?? {})) services[name] = normalizeService(name, svc, { hasControl }, issues);

  const identity = normalizeIdentity(raw.identity);
  if (identity.mode === 'control' && raw.control === undefined) issues.add(['identity', 'mode'], 'identity mode control needs control: { url: … } at the top level');
  if (identity.mode === 'none' && raw.inbound?.mtls === 'strict') issues.add(['inbound', 'mtls'], 'mtls strict needs an identity: identity mode none serves plaintext only');

  const config: MeshConfig = {
    mesh: raw.mesh ?? DEFAULT_MESH,
    trustDomain: raw.trustDomain ?? DEFAULT_TRUST_DOMAIN,
    identity,
    control: normalizeControl(raw.control, identity, issues),
    outbound: raw.outbound ?? DEFAULT_OUTBOUND,
    services,
    authorization: normalizeAuthorization(raw.authorization, issues),
    authentication: normalizeAuthentication(raw.authentication, issues),
    admin: { port: raw.admin?.port ?? DEFAULT_ADMIN.port, host: raw.admin?.host ?? DEFAULT_ADMIN.host },
    inbound: normalizeInbound(raw.inbound, issues),
    telemetry: normalizeTelemetry(raw.telemetry, issues),
  };

  const { admin, inbound } = config;
  if (admin.port !== undefined && admin.port !== 0 && admin.port === inbound.port && admin.host === inbound.host) {
    issues.add(['admin', 'port'], `admin and inbound both listen on ${admin.host}:${admin.port}`);
  }
  return issues.ok ? { ok: true, config } : { ok: false, issues: issues.issues };
}

function normalizeIdentity(raw: RawMesh['identity']): IdentityConfig {
  if (!raw) return DEFAULT_IDENTITY;
  switch (raw.mode) {
    case 'dev':
      return { mode: 'dev', dir: raw.dir ?? '.inmesh', certTtl: raw.certTtl === undefined ? DEFAULT_CERT_TTL : parseDuration(raw.certTtl) };
    case 'control':
      return { mode: 'control', certTtl: raw.certTtl === undefined ? DEFAULT_CERT_TTL : parseDuration(raw.certTtl), token: raw.token, caFile: raw.caFile };
    case 'files':
      return { mode: 'files', certFile: raw.certFile, keyFile: raw.keyFile, caFile: raw.caFile };
    case 'none':
      return { mode: 'none' };
  }
}

/** `control.etcd` without `store` means etcd; a store of etcd needs its endpoints. */
function normalizeControl(raw: RawMesh['control'], identity: IdentityConfig, issues: IssueList): ControlConfig | undefined {
  if (!raw) return undefined;
  const store = raw.store ?? (raw.etcd ? 'etcd' : DEFAULT_CONTROL_STORE);
  if (store === 'etcd' && !raw.etcd) issues.add(['control', 'store'], 'store etcd needs control.etcd: { endpoints: [...] }');
  if (store !== 'etcd' && raw.etcd) issues.add(['control', 'etcd'], `etcd is set but store is ${store}`, 'key');
  const lease = raw.instance?.lease === undefined ? LEASE_DEFAULT_SECONDS * 1000 : parseDuration(raw.instance.lease);
  if (lease < LEASE_MIN_SECONDS * 1000) issues.add(['control', 'instance', 'lease'], `a lease is at least ${LEASE_MIN_SECONDS}s`);
  return {
    url: raw.url,
    caFile: raw.caFile ?? (identity.mode === 'control' || identity.mode === 'files' ? identity.caFile : undefined),
    cacheDir: raw.cacheDir ?? '.inmesh/cache',
    instance: { version: raw.instance?.version, labels: stringLabels(raw.instance?.labels), lease },
    store,
    etcd: raw.etcd ? { endpoints: raw.etcd.endpoints, prefix: raw.etcd.prefix ?? DEFAULT_ETCD_PREFIX } : undefined,
  };
}

function normalizeInbound(raw: RawMesh['inbound'], issues: IssueList): InboundConfig {
  const d = DEFAULT_INBOUND;
  if (!raw) return d;
  const rl = raw.rateLimit;
  return {
    port: raw.port ?? d.port,
    host: raw.host ?? d.host,
    maxConcurrent: raw.maxConcurrent ?? d.maxConcurrent,
    maxQueue: raw.maxQueue ?? d.maxQueue,
    // A one-second burst by default: a token bucket of rps tokens.
    rateLimit: rl ? { rps: rl.rps, burst: rl.burst ?? Math.max(1, Math.ceil(rl.rps)), perCaller: rl.perCaller ?? false } : d.rateLimit,
    adaptiveConcurrency: normalizeAdaptive(raw.adaptiveConcurrency, issues),
    timeout: raw.timeout === undefined ? d.timeout : parseDuration(raw.timeout),
    drainTimeout: raw.drainTimeout === undefined ? d.drainTimeout : parseDuration(raw.drainTimeout),
    mtls: raw.mtls ?? d.mtls,
    ...clientTimeouts(raw, issues),
  };
}

/** The HTTP/1.1 parser's timeouts; Node refuses a header timeout above the request timeout. */
function clientTimeouts(raw: NonNullable<RawMesh['inbound']>, issues: IssueList): Pick<InboundConfig, 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout'> {
  const d = DEFAULT_INBOUND;
  const requestTimeout = raw.requestTimeout === undefined ? d.requestTimeout : parseDuration(raw.requestTimeout);
  let headersTimeout = raw.headersTimeout === undefined ? d.headersTimeout : parseDuration(raw.headersTimeout);
  if (headersTimeout > requestTimeout) {
    if (raw.headersTimeout !== undefined) issues.add(['inbound', 'headersTimeout'], `headersTimeout ${raw.headersTimeout} is above requestTimeout ${raw.requestTimeout ?? '300s'}: the head is part of the request`);
    else headersTimeout = requestTimeout;
  }
  return { headersTimeout, requestTimeout, keepAliveTimeout: raw.keepAliveTimeout === undefined ? d.keepAliveTimeout : parseDuration(raw.keepAliveTimeout) };
}

/** `true` takes the defaults; an object fills in the rest, and the limits must be in order. */
function normalizeAdaptive(raw: NonNullable<RawMesh['inbound']>['adaptiveConcurrency'], issues: IssueList): AdaptiveConcurrencyConfig | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (raw === true) return DEFAULT_ADAPTIVE_CONCURRENCY;
  const d = DEFAULT_ADAPTIVE_CONCURRENCY;
  const minLimit = raw.minLimit ?? Math.min(d.minLimit, raw.maxLimit ?? d.minLimit);
  const maxLimit = raw.maxLimit ?? Math.max(d.maxLimit, minLimit);
  const initialLimit = raw.initialLimit ?? Math.min(Math.max(d.initialLimit, minLimit), maxLimit);
  const path = ['inbound', 'adaptiveConcurrency'];
  if (minLimit > maxLimit) issues.add([...path, 'minLimit'], `minLimit ${minLimit} is above maxLimit ${maxLimit}`);
  else if (initialLimit < minLimit || initialLimit > maxLimit) issues.add([...path, 'initialLimit'], `initialLimit ${initialLimit} is outside minLimit..maxLimit (${minLimit}..${maxLimit})`);
  return {
    initialLimit,
    minLimit,
    maxLimit,
    tolerance: raw.tolerance ?? d.tolerance,
    window: raw.window === undefined ? d.window : parseDuration(raw.window),
  };
}

function normalizeTelemetry(raw: RawMesh['telemetry'], issues: IssueList): TelemetryConfig {
  const d = DEFAULT_TELEMETRY;
  if (!raw) return d;
  const t = raw.tracing ?? {};
  const exporter = t.exporter ?? d.tracing.exporter;
  if (exporter === 'none' && t.endpoint !== undefined) {
    issues.add(['telemetry', 'tracing', 'endpoint'], 'an endpoint is set but no exporter: add exporter: otlp (or zipkin)', 'key');
  }
  if (exporter === 'console' && t.endpoint !== undefined) {
    issues.add(['telemetry', 'tracing', 'endpoint'], 'the console exporter writes to standard output and takes no endpoint', 'key');
  }
  const a = raw.accessLog;
  const accessLog =
    a === undefined || a === false
      ? undefined
      : a === true
        ? DEFAULT_ACCESS_LOG
        : {
            sampleRatio: a.sampleRatio ?? DEFAULT_ACCESS_LOG.sampleRatio,
            headers: [...new Set((a.headers ?? []).map((h) => h.toLowerCase()))],
            inbound: a.inbound ?? true,
            outbound: a.outbound ?? true,
            path: a.path,
          };
  return {
    tracing: { exporter, endpoint: t.endpoint, sampleRatio: t.sampleRatio ?? d.tracing.sampleRatio, propagators: t.propagators ? [...new Set(t.propagators)] : d.tracing.propagators },
    accessLog,
    stats: { window: raw.stats?.window === undefined ? d.stats.window : parseDuration(raw.stats.window) },
  };
}
