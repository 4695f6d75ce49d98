import type { LatencyHistogram, MeshMetrics, SlidingWindow, StatsWindows, TraceRef } from '../telemetry/index.js';

/** Why admission refused a request: the `reason` label of `inmesh_admission_rejected_total`. */
export type RejectReason = 'concurrency' | 'rate_limit' | 'caller_rate_limit' | 'deadline';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * The server side of the golden metrics: `http_server_request_duration_seconds{service, route,
 * http_request_method, http_response_status_code}` and admission refusals. Series are looked up
 * through small maps and a status-indexed array, never by building a label key per request.
 */
export class ServerMetrics {
  readonly #metrics: MeshMetrics;
  readonly #service: string;
  readonly #byMethod = new Map<string, Map<string, Array<LatencyHistogram | undefined>>>();
  /** Requests over mTLS, when the series say which (`labelTls`). */
  readonly #byMethodMtls = new Map<string, Map<string, Array<LatencyHistogram | undefined>>>();
  readonly #rejected = new Map<RejectReason, { inc(): void }>();
  readonly #labelTls: boolean;
  readonly #windows: StatsWindows | undefined;
  /** Each route's window of `mesh.stats()`, found once per route. */
  readonly #windowByRoute = new Map<string, SlidingWindow>();

  /** `labelTls`: a permissive mTLS port serves both, so its series carry `tls="mtls"` or `tls="none"`. */
  constructor(metrics: MeshMetrics, service: string, labelTls = false, windows?: StatsWindows) {
    this.#metrics = metrics;
    this.#service = service;
    this.#labelTls = labelTls;
    this.#windows = windows;
  }

  /**
   * One request done: `route` is the route template ('' when unknown), never the raw path; `peer`
   * the caller's SPIFFE ID (mTLS); `trace` the request's span, kept as its bucket's exemplar.
   */
  observe(method: string | undefined, route: string, status: number, seconds: number, peer?: string, trace?: TraceRef): void {
    const m = method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
    const mtls = this.#labelTls && peer !== undefined;
    const byMethod = mtls ? this.#byMethodMtls : this.#byMethod;
    let byRoute = byMethod.get(m);
    if (byRoute === undefined) byMethod.set(m, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) byRoute.set(route, (byStatus = new Array(600)));
    const code = status >= 100 && status < 600 ? status : 0;
    let h = byStatus[code];
    if (h === undefined) {
      h = byStatus[code] = this.#metrics.serverDuration.series({
        service: this.#service,
        route,
        http_request_method: m,
        http_response_status_code: String(status),
        ...(this.#labelTls && { tls: mtls ? 'mtls' : 'none' }),
      });
    }
    if (trace === undefined) h.observe(seconds);
    else h.observeWithExemplar(seconds, trace.traceId, trace.spanId, Date.now());
    const windows = this.#windows;
    if (windows !== undefined) {
      let w = this.#windowByRoute.get(route);
      if (w === undefined) this.#windowByRoute.set(route, (w = windows.inbound(this.#service, route)));
      // 499 (the client left) is the client's doing, not a failure of the service.
      w.record(seconds, status >= 500);
    }
  }

  rejected(reason: RejectReason): void {
    let c = this.#rejected.get(reason);
    if (c === undefined) this.#rejected.set(reason, (c = this.#metrics.admissionRejected.labels({ reason })));
    c.inc();
  }
}
