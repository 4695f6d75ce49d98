import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import { CounterMetric } from './counter-metric.js';
import { GaugeMetric } from './gauge-metric.js';
import { CollectedGauge } from './collected-gauge.js';
import { HistogramMetric } from './histogram-metric.js';
import { LatencyHistogram } from './latency-histogram.js';

/** The trace a sample belongs to: it becomes the exemplar of the sample's bucket (OpenMetrics scrapes show it). */
export interface TraceRef {
  readonly traceId: string;
  readonly spanId: string;
}

/** The per-call recorder of one (destination, route): status-indexed series made on first use. */
export class CallSeries {
  /** Indexed by status code; made on the first response, since many (destination, route) pairs never see one. */
  #byStatus: Array<LatencyHistogram | undefined> | undefined;
  readonly #byError = new Map<string, LatencyHistogram>();
  readonly #family: HistogramMetric;
  readonly #labels: Readonly<Record<string, string>>;

  constructor(family: HistogramMetric, labels: Readonly<Record<string, string>>) {
    this.#family = family;
    this.#labels = labels;
  }

  /** `trace`: the call's span, kept as its bucket's exemplar. */
  status(code: number, seconds: number, trace?: TraceRef): void {
    const byStatus = (this.#byStatus ??= new Array(600));
    let h = byStatus[code];
    if (!h) h = byStatus[code] = this.#family.series({ ...this.#labels, http_response_status_code: String(code), error_type: '' });
    if (trace === undefined) h.observe(seconds);
    else h.observeWithExemplar(seconds, trace.traceId, trace.spanId, Date.now());
  }

  error(type: string, seconds: number, trace?: TraceRef): void {
    let h = this.#byError.get(type);
    if (!h) this.#byError.set(type, (h = this.#family.series({ ...this.#labels, http_response_status_code: '', error_type: type })));
    if (trace === undefined) h.observe(seconds);
    else h.observeWithExemplar(seconds, trace.traceId, trace.spanId, Date.now());
  }
}

/** The per-endpoint recorder: success and failure latencies. */
export interface EndpointSeries {
  readonly success: LatencyHistogram;
  readonly failure: LatencyHistogram;
}

export interface LatencySummary {
  readonly requests: number;
  readonly failures: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * The mesh's metrics: a private prom-client Registry (never the global one) holding
 * OpenTelemetry-named HTTP histograms and `inmesh_*` series.
 *
 * @example
 * const metrics = new MeshMetrics({ service: 'checkout' });
 * await metrics.registry.metrics();
 */
export class MeshMetrics {
  readonly source: string;
  readonly clientDuration: HistogramMetric;
  readonly endpointDuration: HistogramMetric;
  readonly configReloads: CounterMetric<'result'>;
  /** Inbound requests served (or refused) by mesh.serve and the adapters, as the server saw them. */
  readonly serverDuration: HistogramMetric;
  readonly admissionRejected: CounterMetric<'reason'>;
  /** Inbound requests refused by authentication (401) or authorization (403). */
  readonly authzDenied: CounterMetric<'service' | 'reason'>;
  readonly retries: CounterMetric<'destination_service' | 'route' | 'reason'>;
  readonly retryBudgetExhausted: CounterMetric<'destination_service' | 'route'>;
  readonly hedges: CounterMetric<'destination_service' | 'route'>;
  readonly circuitTransitions: CounterMetric<'destination_service' | 'endpoint' | 'state'>;
  readonly ejections: CounterMetric<'destination_service' | 'endpoint'>;
  /** Inbound connections refused at the TLS layer (handshake or SPIFFE check) or for being plaintext on a strict port. */
  readonly tlsRefused: CounterMetric<'reason'>;
  /** Outbound connections whose server did not prove the expected identity. */
  readonly peerIdentityFailures: CounterMetric<'destination_service' | 'reason'>;
  readonly certExpiry: GaugeMetric<'spiffe_id'>;
  readonly certRotations: CounterMetric<'result'>;
  /** 1 while the last exchange with the control daemon got an answer, else 0 (no series without `control.url`). */
  readonly controlConnected: GaugeMetric<never>;
  /** Blocking queries to the control daemon that failed, by feed (config, registry, registration). */
  readonly controlWatchFailures: CounterMetric<'feed'>;
  /** Enum style: per breaker, 1 for its current state and 0 for the others. Read from the client when scraped. */
  readonly circuitState: CollectedGauge<'destination_service' | 'endpoint' | 'state'>;
  /** Endpoints discovery knows, by state. Read from the client when scraped. */
  readonly endpoints: CollectedGauge<'destination_service' | 'state'>;
  /** Outbound attempts in flight per destination (the endpoints' pending counts). */
  readonly requestsInFlight: CollectedGauge<'destination_service'>;
  /** Inbound requests admitted or queued and not yet answered. */
  readonly serverRequestsInFlight: CollectedGauge<'service'>;
  #registry: Registry | undefined;

  constructor(o: { service: string; registry?: Registry }) {
    this.source = o.service;
    this.clientDuration = new HistogramMetric(
      'http_client_request_duration_seconds',
      'Duration of logical HTTP client calls through the mesh, as the caller saw them (retries included).',
    );
    this.endpointDuration = new HistogramMetric('inmesh_endpoint_request_duration_seconds', 'Duration of HTTP attempts per destination endpoint, by outcome.');
    this.configReloads = new CounterMetric('inmesh_config_reloads_total', 'Configuration updates, applied or rejected.', ['result']);
    this.serverDuration = new HistogramMetric(
      'http_server_request_duration_seconds',
      'Duration of inbound HTTP requests, from arrival to the end of the response (queueing and refusals included).',
    );
    this.admissionRejected = new CounterMetric('inmesh_admission_rejected_total', 'Inbound requests refused before the application saw them, by reason.', ['reason']);
    this.authzDenied = new CounterMetric(
      'inmesh_authz_denied_total',
      'Inbound requests refused by authorization (403: deny-rule, no-rule, no-identity) or authentication (401: jwt), by served service.',
      ['service', 'reason'],
    );
    this.retries = new CounterMetric('inmesh_retries_total', 'Retries sent, by reason.', ['destination_service', 'route', 'reason']);
    this.retryBudgetExhausted = new CounterMetric(
      'inmesh_retry_budget_exhausted_total',
      'Retries refused because the retry budget was spent; the caller got the original outcome.',
      ['destination_service', 'route'],
    );
    this.hedges = new CounterMetric('inmesh_hedges_total', 'Hedged attempts started.', ['destination_service', 'route']);
    this.circuitTransitions = new CounterMetric('inmesh_circuit_transitions_total', 'Circuit breaker state changes (endpoint="" for the service-wide breaker).', [
      'destination_service',
      'endpoint',
      'state',
    ]);
    this.ejections = new CounterMetric('inmesh_endpoint_ejections_total', 'Endpoints ejected by outlier detection.', ['destination_service', 'endpoint']);
    this.tlsRefused = new CounterMetric('inmesh_tls_refused_total', 'Inbound connections refused before any request: failed mTLS handshakes, SPIFFE checks, plaintext on a strict port.', ['reason']);
    this.peerIdentityFailures = new CounterMetric('inmesh_peer_identity_failures_total', 'Outbound connections refused because the server did not prove the expected identity.', [
      'destination_service',
      'reason',
    ]);
    this.certExpiry = new GaugeMetric('inmesh_cert_expiry_timestamp_seconds', "When this workload's certificate expires (Unix seconds).", ['spiffe_id']);
    this.certRotations = new CounterMetric('inmesh_cert_rotations_total', "Renewals of this workload's certificate, by result.", ['result']);
    this.controlConnected = new GaugeMetric('inmesh_control_connected', 'Whether the control daemon answers (1: it accepted a connection or answered the last exchange) or not (0: the last exchange failed).', []);
    this.controlWatchFailures = new CounterMetric('inmesh_control_watch_failures_total', 'Exchanges with the control daemon that failed (unreachable, timed out, 5xx or a malformed answer), by feed.', ['feed']);
    this.circuitState = new CollectedGauge(
      'inmesh_circuit_state',
      "Circuit breaker state, one series per state (closed, open, half_open) set to 1 for the current one; endpoint '' is the service-wide guard, open while every endpoint's breaker is.",
      ['destination_service', 'endpoint', 'state'],
    );
    this.endpoints = new CollectedGauge(
      'inmesh_endpoints',
      "Endpoints discovery gives a destination, by state: ejected (outlier detection), open (breaker open or half-open), else healthy.",
      ['destination_service', 'state'],
    );
    this.requestsInFlight = new CollectedGauge('inmesh_requests_in_flight', 'Outbound attempts in flight at the endpoints of a destination (hedges and retries count each attempt).', [
      'destination_service',
    ]);
    this.serverRequestsInFlight = new CollectedGauge('inmesh_server_requests_in_flight', 'Inbound requests running in the application or queued for admission.', ['service']);
    if (o.registry) this.#register(o.registry);
  }

  /**
   * The prom-client Registry that holds these metrics: the one given, or a private one (never the
   * global one) made on first use, by a scrape or `mesh.metrics`. Until then the mesh counts in its
   * own structures and prom-client is not loaded (about 1 MB of RSS).
   */
  get registry(): Registry {
    if (!this.#registry) {
      const { Registry: PromRegistry } = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
      this.#register(new PromRegistry());
    }
    return this.#registry!;
  }

  #register(registry: Registry): void {
    this.#registry = registry;
    const all = [
      this.clientDuration,
      this.endpointDuration,
      this.configReloads,
      this.serverDuration,
      this.admissionRejected,
      this.authzDenied,
      this.retries,
      this.retryBudgetExhausted,
      this.hedges,
      this.circuitTransitions,
      this.ejections,
      this.tlsRefused,
      this.peerIdentityFailures,
      this.certExpiry,
      this.certRotations,
      this.controlConnected,
      this.controlWatchFailures,
      this.circuitState,
      this.endpoints,
      this.requestsInFlight,
      this.serverRequestsInFlight,
    ];
    for (const m of all) registry.registerMetric(m as never);
  }

  callSeries(destination: string, route: string): CallSeries {
    return new CallSeries(this.clientDuration, { source_service: this.source, destination_service: destination, route });
  }

  endpointSeries(destination: string, endpoint: string): EndpointSeries {
    const base = { source_service: this.source, destination_service: destination, endpoint };
    return {
      success: this.endpointDuration.series({ ...base, outcome: 'success' }),
      failure: this.endpointDuration.series({ ...base, outcome: 'failure' }),
    };
  }

  /** Forgets an endpoint that left its destination, so series do not pile up as endpoints churn. */
  removeEndpoint(destination: string, endpoint: string): void {
    const base = { source_service: this.source, destination_service: destination, endpoint };
    this.endpointDuration.remove({ ...base, outcome: 'success' });
    this.endpointDuration.remove({ ...base, outcome: 'failure' });
  }

  /** Per destination, and per endpoint within it: requests, failures and latency percentiles (seconds). */
  endpointSummary(): Map<string, Map<string, LatencySummary>> {
    const out = new Map<string, Map<string, { ok?: LatencyHistogram; bad?: LatencyHistogram }>>();
    for (const { labels, histogram } of this.endpointDuration.entries()) {
      const dest = String(labels.destination_service);
      const ep = String(labels.endpoint);
      const byEp = out.get(dest) ?? new Map();
      out.set(dest, byEp);
      const pair = byEp.get(ep) ?? {};
      byEp.set(ep, pair);
      if (labels.outcome === 'success') pair.ok = histogram;
      else pair.bad = histogram;
    }
    const result = new Map<string, Map<string, LatencySummary>>();
    for (const [dest, byEp] of out) {
      const m = new Map<string, LatencySummary>();
      for (const [ep, { ok, bad }] of byEp) m.set(ep, summarize(ok, bad));
      result.set(dest, m);
    }
    return result;
  }

  /** Per destination, logical calls as the caller saw them. */
  callSummary(): Map<string, LatencySummary> {
    const groups = new Map<string, { ok: LatencyHistogram[]; bad: LatencyHistogram[] }>();
    for (const { labels, histogram } of this.clientDuration.entries()) {
      const dest = String(labels.destination_service);
      const g = groups.get(dest) ?? { ok: [], bad: [] };
      groups.set(dest, g);
      const code = Number(labels.http_response_status_code);
      (labels.error_type === '' && code < 500 ? g.ok : g.bad).push(histogram);
    }
    const result = new Map<string, LatencySummary>();
    for (const [dest, g] of groups) result.set(dest, summarizeMany(g.ok, g.bad));
    return result;
  }
}

function summarize(ok: LatencyHistogram | undefined, bad: LatencyHistogram | undefined): LatencySummary {
  return summarizeMany(ok ? [ok] : [], bad ? [bad] : []);
}

function summarizeMany(ok: LatencyHistogram[], bad: LatencyHistogram[]): LatencySummary {
  const merged = new LatencyHistogram();
  for (const h of ok) merged.add(h);
  for (const h of bad) merged.add(h);
  return {
    requests: merged.count,
    failures: bad.reduce((n, h) => n + h.count, 0),
    p50: merged.percentile(0.5),
    p90: merged.percentile(0.9),
    p95: merged.percentile(0.95),
    p99: merged.percentile(0.99),
  };
}
