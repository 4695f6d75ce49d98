/**
 * The normalised mesh configuration: what mesh.yaml becomes after parsing, interpolation,
 * validation and defaults. Durations are milliseconds; every object is deep-frozen.
 * Layers receive only their own slice (RetryConfig, BalancerConfig, …), never the whole tree.
 */

export type Millis = number;

export interface EndpointSpec {
  /** `host:port` as written (IPv6 hosts in brackets: `[::1]:8080`). */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Relative weight for weighted balancers; default 1. */
  readonly weight: number;
}

export type DiscoveryConfig =
  | { readonly kind: 'static'; readonly endpoints: readonly EndpointSpec[] }
  | {
      readonly kind: 'dns';
      /** The name to resolve, e.g. `orders.shop.svc.cluster.local` or `_http._tcp.orders…` for SRV. */
      readonly name: string;
      /** A/AAAA records need a port; SRV records carry their own. */
      readonly port: number | undefined;
      readonly type: 'A' | 'AAAA' | 'ANY' | 'SRV';
      /** Re-resolve at least this often; a shorter record TTL wins. */
      readonly interval: Millis;
      readonly labels: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'control' };

export type LoadBalancerKind = 'p2c-ewma' | 'least-request' | 'round-robin' | 'ring-hash';

export interface BalancerConfig {
  readonly kind: LoadBalancerKind;
  /** ring-hash: the request header whose value is the hash key (absent: the path). */
  readonly hashHeader: string | undefined;
  /** ring-hash: points per endpoint on the ring (times its weight). */
  readonly virtualNodes: number;
  /** p2c-ewma: how fast the latency average forgets (Finagle's decay time). */
  readonly decay: Millis;
}

export type RetryOn = 'connect-failure' | 'reset' | 'refused-stream' | 'timeout' | '5xx' | 'gateway-error' | number;

export interface RetryConfig {
  /** Total attempts including the first; 1 turns retries off. */
  readonly attempts: number;
  /** Retries may add at most this fraction of the request rate (Finagle/Linkerd budget). */
  readonly budget: number;
  /** Retries always allowed per second regardless of the ratio. */
  readonly minRetriesPerSecond: number;
  readonly on: readonly RetryOn[];
  readonly backoff: { readonly base: Millis; readonly max: Millis };
  readonly retryNonIdempotent: boolean;
  /** Request bodies up to this size are buffered so that they can be replayed. */
  readonly maxBodyBytes: number;
}

export interface CircuitBreakerConfig {
  readonly errorThresholdPercentage: number;
  readonly volumeThreshold: number;
  readonly resetTimeout: Millis;
  readonly rollingCountTimeout: Millis;
}

export interface OutlierDetectionConfig {
  readonly consecutive5xx: number;
  readonly consecutiveConnectFailures: number;
  readonly interval: Millis;
  readonly baseEjectionTime: Millis;
  readonly maxEjectionPercent: number;
  /** Eject when success rate is this many standard deviations below the mean (Envoy: 1.9). */
  readonly successRateStdevFactor: number;
  readonly successRateMinimumHosts: number;
  readonly successRateRequestVolume: number;
}

export interface ConcurrencyConfig {
  readonly maxInFlight: number;
  readonly maxPending: number;
}

export type StringMatch =
  | { readonly exact: string }
  | { readonly prefix: string }
  | { readonly regex: string }
  | { readonly present: boolean };

export interface RouteMatch {
  readonly path: StringMatch | undefined;
  readonly methods: readonly string[] | undefined;
  /** Header names lower-cased; a plain string in mesh.yaml means `exact`. */
  readonly headers: Readonly<Record<string, StringMatch>>;
}

export interface Backend {
  /** A subset name from `subsets` (or an endpoint `version` label); absent = all endpoints. */
  readonly subset: string | undefined;
  readonly weight: number;
}

export interface FaultConfig {
  readonly delay: { readonly percent: number; readonly duration: Millis } | undefined;
  readonly abort: { readonly percent: number; readonly status: number } | undefined;
}

export interface HedgeConfig {
  readonly delay: Millis;
  readonly maxAttempts: number;
}

export interface MirrorConfig {
  readonly subset: string | undefined;
  readonly percent: number;
}

export interface RouteConfig {
  /** Names the route in metrics and traces; default `route-<index>`. */
  readonly name: string;
  readonly match: RouteMatch;
  readonly backends: readonly Backend[];
  readonly timeout: Millis | undefined;
  readonly perTryTimeout: Millis | undefined;
  readonly retries: RetryConfig | undefined;
  readonly fault: FaultConfig | undefined;
  readonly hedge: HedgeConfig | undefined;
  readonly mirror: MirrorConfig | undefined;
}

export type TlsMode = 'mesh' | 'none';

export interface ServiceConfig {
  readonly name: string;
  readonly discovery: DiscoveryConfig;
  readonly tls: TlsMode;
  readonly loadBalancer: BalancerConfig;
  /** Total time for a logical call, retries included. */
  readonly timeout: Millis | undefined;
  readonly perTryTimeout: Millis | undefined;
  readonly retries: RetryConfig;
  readonly circuitBreaker: CircuitBreakerConfig | undefined;
  readonly outlierDetection: OutlierDetectionConfig | undefined;
  readonly concurrency: ConcurrencyConfig | undefined;
  /** Subset name → labels an endpoint must carry. */
  readonly subsets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly routes: readonly RouteConfig[];
  /** HTTP connections kept per endpoint. */
  readonly connections: number;
  /** Offer HTTP/2 by ALPN on mTLS connections. */
  readonly http2: boolean;
  /** Longest silence from an endpoint: until the response head, and between body chunks (undici's headersTimeout/bodyTimeout). */
  readonly idleTimeout: Millis;
}

/**
 * One inbound rule (Istio AuthorizationPolicy): it matches a request when every condition it
 * states matches; a condition left undefined matches any request.
 */
export interface AuthorizationRule {
  readonly action: 'allow' | 'deny';
  /** Peer SPIFFE IDs: exact, a trailing `/*` for a prefix, `*` for any authenticated peer (never a plaintext one). */
  readonly from: readonly string[] | undefined;
  /** `<iss>/<sub>` of the caller's verified JWT: exact, a trailing `*` for a prefix, `*` for any valid token. */
  readonly principals: readonly string[] | undefined;
  readonly methods: readonly string[] | undefined;
  /** Paths without the query: exact, `*` within one segment, a trailing `*` for any rest; `*` alone for any path. */
  readonly paths: readonly string[] | undefined;
  /** Claim name → accepted values (as strings): a string claim must equal one, a list claim must contain one. */
  readonly claims: Readonly<Record<string, readonly string[]>> | undefined;
}

/** One trusted JWT issuer (Istio RequestAuthentication `jwtRules`). */
export interface JwtProviderConfig {
  readonly issuer: string;
  /** A token must name one of these in `aud`; undefined: not checked. */
  readonly audiences: readonly string[] | undefined;
  /** Exactly one of jwksUri and jwks is set. */
  readonly jwksUri: string | undefined;
  readonly jwks: { readonly keys: readonly Readonly<Record<string, unknown>>[] } | undefined;
  /** Lower-cased; `authorization` carries `Bearer <token>`, any other header the bare token. */
  readonly header: string;
  /** Longest wait for the JWKS fetch. */
  readonly timeout: Millis;
}

export interface AuthenticationConfig {
  readonly jwt: readonly JwtProviderConfig[];
}

export type IdentityConfig =
  | { readonly mode: 'dev'; readonly dir: string; readonly certTtl: Millis }
  | { readonly mode: 'control'; readonly certTtl: Millis; readonly token: string | undefined; readonly caFile: string | undefined }
  | { readonly mode: 'files'; readonly certFile: string; readonly keyFile: string; readonly caFile: string }
  | { readonly mode: 'none' };

export interface ControlConfig {
  readonly url: string;
  /** PEM CAs for the daemon's TLS (control.caFile, else identity.caFile); undefined: the system's. */
  readonly caFile: string | undefined;
  /** The cache of what the daemon said; `<cacheDir>/<service>/`. */
  readonly cacheDir: string;
  /** What mesh.serve registers beside address and protocols. */
  readonly instance: {
    readonly version: string | undefined;
    readonly labels: Readonly<Record<string, string>>;
    /** The registry lease, in ms (whole seconds on the wire). */
    readonly lease: Millis;
  };
  readonly store: 'memory' | 'file' | 'etcd';
  readonly etcd: { readonly endpoints: readonly string[]; readonly prefix: string } | undefined;
}

export interface AdminConfig {
  /** 0 picks a free port; undefined = no admin listener. */
  readonly port: number | undefined;
  readonly host: string;
}

/**
 * A concurrency limit that follows latency (Netflix concurrency-limits' Gradient2): it grows while
 * the latency of a window stays near the long-term latency and shrinks when it climbs above it.
 */
export interface AdaptiveConcurrencyConfig {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** How far (a ratio) the window's latency may exceed the long-term latency before the limit shrinks. */
  readonly tolerance: number;
  /** How often the limit is recomputed (a window also needs a few samples). */
  readonly window: Millis;
}

export interface InboundConfig {
  /** The application's port for `mesh.serve`; 0 picks a free one. */
  readonly port: number;
  readonly host: string;
  /** Requests served at once; beyond it they wait in a queue of `maxQueue`, then are shed (503). */
  readonly maxConcurrent: number | undefined;
  readonly maxQueue: number;
  /** A token bucket for the whole service, or one per caller identity with `perCaller`. */
  readonly rateLimit: { readonly rps: number; readonly burst: number; readonly perCaller: boolean } | undefined;
  /** Sets the concurrency limit from latency; `maxConcurrent`, when set, caps it. */
  readonly adaptiveConcurrency: AdaptiveConcurrencyConfig | undefined;
  /** Caps the deadline of every request, also of those whose caller sent none. */
  readonly timeout: Millis | undefined;
  readonly drainTimeout: Millis;
  /** How long a client has to send a request's head (HTTP/1.1); past it, 408 and the connection closes. */
  readonly headersTimeout: Millis;
  /** How long a client has to send a whole request, head and body (HTTP/1.1); past it, 408. */
  readonly requestTimeout: Millis;
  /** How long an idle HTTP/1.1 keep-alive connection stays open. */
  readonly keepAliveTimeout: Millis;
  /** `permissive`: mTLS and plaintext on one port; `strict`: mTLS only. Without an identity (`identity.mode: none`), plaintext. */
  readonly mtls: 'strict' | 'permissive';
}

export type TracePropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi';

export interface AccessLogConfig {
  /** The share of requests logged, 0 to 1. */
  readonly sampleRatio: number;
  /** Lower-case names of request headers whose values are logged. */
  readonly headers: readonly string[];
  readonly inbound: boolean;
  readonly outbound: boolean;
  /** A file to append to; undefined: standard output. */
  readonly path: string | undefined;
}

export interface TelemetryConfig {
  readonly tracing: {
    readonly exporter: 'none' | 'otlp' | 'zipkin' | 'console';
    readonly endpoint: string | undefined;
    readonly sampleRatio: number;
    readonly propagators: readonly TracePropagatorName[];
  };
  /** undefined: no access log. */
  readonly accessLog: AccessLogConfig | undefined;
  readonly stats: { readonly window: Millis };
}

export interface MeshConfig {
  readonly mesh: string;
  readonly trustDomain: string;
  readonly identity: IdentityConfig;
  readonly control: ControlConfig | undefined;
  /** What to do with a call to a host that is not a mesh service. */
  readonly outbound: 'passthrough' | 'deny';
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /** Served service → its rules; no entry allows every request, an empty list denies every one. */
  readonly authorization: Readonly<Record<string, readonly AuthorizationRule[]>>;
  readonly authentication: Readonly<Record<string, AuthenticationConfig>>;
  readonly admin: AdminConfig;
  readonly inbound: InboundConfig;
  readonly telemetry: TelemetryConfig;
}

/** An immutable, validated configuration with a version and a hash per service, so reloads rebuild only what changed. */
export interface ConfigSnapshot {
  readonly version: number;
  readonly config: MeshConfig;
  /** Service name → stable hash of its ServiceConfig. */
  readonly serviceHashes: Readonly<Record<string, string>>;
  /** Where it came from: a file path, `object`, or `control`. */
  readonly source: string;
}
