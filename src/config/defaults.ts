import type {
  AdaptiveConcurrencyConfig,
  AdminConfig,
  BalancerConfig,
  CircuitBreakerConfig,
  IdentityConfig,
  InboundConfig,
  OutlierDetectionConfig,
  RetryConfig,
  TelemetryConfig,
  AccessLogConfig,
  TracePropagatorName,
} from './types.js';

/**
 * Every default in one place (Finagle's `Param.default`), applied once at normalisation: layers never
 * see a missing value. Frozen, because snapshots share them.
 */

/**
 * Retries are off unless configured (attempts 1): a retry is only safe when the call is idempotent,
 * which the mesh cannot know. When they are turned on, the budget (Linkerd: 20% plus 10/s) keeps
 * retries from multiplying load during an outage, and only failures that happened before the request
 * reached the application (connect failure, refused stream) are retried unless `on` says otherwise.
 */
export const DEFAULT_RETRIES: RetryConfig = Object.freeze({
  attempts: 1,
  budget: 0.2,
  minRetriesPerSecond: 10,
  on: Object.freeze(['connect-failure', 'refused-stream'] as const),
  backoff: Object.freeze({ base: 25, max: 250 }),
  retryNonIdempotent: false,
  maxBodyBytes: 64 * 1024,
});

/** Peak-EWMA with power of two choices, as Finagle and Linkerd do: it routes around slow endpoints. */
export const DEFAULT_LOAD_BALANCER: BalancerConfig = Object.freeze({
  kind: 'p2c-ewma',
  hashHeader: undefined,
  virtualNodes: 100,
  decay: 10_000,
});

/** opossum's settings with a volume floor, so a couple of early failures do not open the circuit. */
export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerConfig = Object.freeze({
  errorThresholdPercentage: 50,
  volumeThreshold: 20,
  resetTimeout: 10_000,
  rollingCountTimeout: 10_000,
});

/** Envoy's outlier-detection defaults, except maxEjectionPercent, which Istio users know as 10. */
export const DEFAULT_OUTLIER_DETECTION: OutlierDetectionConfig = Object.freeze({
  consecutive5xx: 5,
  consecutiveConnectFailures: 5,
  interval: 10_000,
  baseEjectionTime: 30_000,
  maxEjectionPercent: 10,
  successRateStdevFactor: 1.9,
  successRateMinimumHosts: 5,
  successRateRequestVolume: 100,
});

/** No queue behind a full concurrency limit: callers fail fast with a rejected (retry-elsewhere) error. */
export const DEFAULT_MAX_PENDING = 0;

export const DEFAULT_CONNECTIONS_PER_ENDPOINT = 64;

/**
 * An endpoint silent this long (no response head, or no body bytes) has its connection closed: the
 * only guard of a call with no deadline. Shorter than undici's 300 s, long enough for slow work.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export const DEFAULT_DNS_INTERVAL = 10_000;

export const DEFAULT_TLS = 'mesh' as const;

export const DEFAULT_BACKEND_WEIGHT = 100;
export const DEFAULT_FAULT_PERCENT = 100;
export const DEFAULT_MIRROR_PERCENT = 100;
export const DEFAULT_HEDGE_MAX_ATTEMPTS = 2;

/** Loopback only: metrics and health are not for the outside world unless someone says so. No port = no listener. */
export const DEFAULT_ADMIN: AdminConfig = Object.freeze({ port: undefined, host: '127.0.0.1' });

export const DEFAULT_INBOUND: InboundConfig = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  maxConcurrent: undefined,
  maxQueue: 0,
  rateLimit: undefined,
  adaptiveConcurrency: undefined,
  timeout: undefined,
  drainTimeout: 10_000,
  mtls: 'permissive',
  // Node's own 60 s header timeout, checked every 30 s, let a trickled head hold a connection ~90 s.
  headersTimeout: 10_000,
  requestTimeout: 300_000,
  keepAliveTimeout: 5_000,
});

/**
 * Gradient2's defaults from Netflix concurrency-limits (start at 20, tolerate 1.5× the long-term
 * latency), recomputed every 100 ms as Envoy's adaptive concurrency samples; a floor of 5 keeps a
 * slow service from being throttled to a trickle.
 */
export const DEFAULT_ADAPTIVE_CONCURRENCY: AdaptiveConcurrencyConfig = Object.freeze({
  initialLimit: 20,
  minLimit: 5,
  maxLimit: 1000,
  tolerance: 1.5,
  window: 100,
});

/** A local CA under `.inmesh/`: mTLS works on a laptop with nothing else running. */
export const DEFAULT_IDENTITY: IdentityConfig = Object.freeze({ mode: 'dev', dir: '.inmesh', certTtl: 24 * 3_600_000 });

export const DEFAULT_CERT_TTL = 24 * 3_600_000;

export const DEFAULT_PROPAGATORS: readonly TracePropagatorName[] = Object.freeze(['tracecontext', 'baggage'] as const);

/** What `accessLog: true` means. */
export const DEFAULT_ACCESS_LOG: AccessLogConfig = Object.freeze({ sampleRatio: 1, headers: Object.freeze([]), inbound: true, outbound: true, path: undefined });

/** linkerd viz stat's default window. */
export const DEFAULT_STATS_WINDOW_MS = 60_000;

export const DEFAULT_TELEMETRY: TelemetryConfig = Object.freeze({
  tracing: Object.freeze({ exporter: 'none', endpoint: undefined, sampleRatio: 0.1, propagators: DEFAULT_PROPAGATORS }),
  accessLog: undefined,
  stats: Object.freeze({ window: DEFAULT_STATS_WINDOW_MS }),
});

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
export const DEFAULT_MESH = 'default';
export const DEFAULT_OUTBOUND = 'passthrough' as const;
export const DEFAULT_CONTROL_STORE = 'memory' as const;
export const DEFAULT_ETCD_PREFIX = '/inmesh/';
