import type { ConfigIssue, MeshErrorCode } from '../core/index.js';

/**
 * The control daemon's HTTP API, version 1: the one contract between `inmesh control`
 * (src/control/) and the workload side in the library (the control resolver, the registrar, the
 * config source, the identity client). JSON bodies over HTTPS; every error is a 4xx/5xx with an
 * {@link ControlErrorBody}. Watches are Consul-style blocking queries: `?version=N&wait=30s`
 * answers at once when the version in force differs from N, else when it changes or when `wait`
 * passes (then with the same version, 200). The version is also in the `inmesh-version` header.
 *
 * Who may call what:
 * - anyone with TLS to the daemon: reads (config, registry, bundle), `/healthz`, `/readyz`, `/metrics`;
 * - a workload, by its mTLS certificate (`spiffe://<td>/svc/<service>`): register and deregister
 *   instances of *its own* service, renew its own certificate;
 * - a workload without a certificate yet: request one with a join token for its service;
 * - the operator, by `authorization: Bearer <admin token>`: apply config, create join tokens,
 *   and any registry write.
 */
export const ControlPaths = {
  /** GET (blocking query) → {@link ConfigResponseBody}; PUT a mesh.yaml text (admin) → {@link ConfigAppliedBody}. */
  config: '/v1/config',
  /** GET: a server-sent event stream, one `config` event per version (`id:` is the version, `data:` a ConfigResponseBody). */
  configStream: '/v1/config/stream',
  /** GET → {@link ServiceListBody}. */
  services: '/v1/registry/services',
  /** `/v1/registry/services/{service}`: GET (blocking query) → {@link ServiceInstancesBody}. */
  service: (service: string): string => `/v1/registry/services/${encodeURIComponent(service)}`,
  /**
   * `/v1/registry/services/{service}/instances/{address}`: PUT a {@link RegisterInstanceBody}
   * registers the instance or renews its lease (idempotent: the keepalive is the same PUT) →
   * {@link InstanceLeaseBody}; DELETE deregisters → 204.
   */
  instance: (service: string, address: string): string => `/v1/registry/services/${encodeURIComponent(service)}/instances/${encodeURIComponent(address)}`,
  /** POST a CertificateRequestBody (`{ service, csr, ttlSeconds }`) with a join token or the current certificate → `{ certificate, bundle }`. */
  certificates: '/v1/identity/certificates',
  /** GET → {@link BundleBody}: the trust bundle, for rotating the roots a workload trusts. */
  bundle: '/v1/identity/bundle',
  /** POST a {@link CreateTokenBody} (admin) → {@link TokenBody}. */
  tokens: '/v1/tokens',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const;

/** The response header that carries the version of a blocking query's answer. */
export const CONTROL_VERSION_HEADER = 'inmesh-version';

/** `wait` of a blocking query: default and bound. */
export const CONTROL_WAIT_DEFAULT_MS = 30_000;
export const CONTROL_WAIT_MAX_MS = 300_000;

/** A registry lease: default and bounds (an instance whose lease lapses is removed). */
export const LEASE_DEFAULT_SECONDS = 10;
export const LEASE_MIN_SECONDS = 2;
export const LEASE_MAX_SECONDS = 300;

/** Every error the daemon answers with. */
export interface ControlErrorBody {
  readonly error: {
    readonly code: MeshErrorCode;
    readonly message: string;
    /** For a refused config: every problem, with line and column in the text that was sent. */
    readonly issues?: readonly ConfigIssue[];
  };
}

/** The mesh-wide configuration in force: the mesh.yaml text as it was applied (workloads parse it themselves, so errors keep positions). */
export interface ConfigResponseBody {
  /** Goes up by at least 1 with every applied change; never reused, also across daemon restarts. */
  readonly version: number;
  readonly yaml: string;
  /** Epoch ms when it was applied. */
  readonly appliedAt: number;
}

export interface ConfigAppliedBody {
  readonly version: number;
  /** False when the text was the same as the one in force (the version does not move). */
  readonly changed: boolean;
}

/** One instance as a workload registers it. */
export interface RegisterInstanceBody {
  /** Free-form labels (e.g. `{ zone: a }`); `version` is the subset label of mesh.yaml endpoints. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The app's version, published as the `version` label (subsets). */
  readonly version?: string;
  /** True (the default) when the instance speaks mTLS with its mesh identity; false for a plain one. */
  readonly meshed?: boolean;
  /** What the port speaks: `http/1.1`, `h2c`, `h2`, `grpc`. */
  readonly protocols?: readonly string[];
  /** Lease length, LEASE_MIN_SECONDS..LEASE_MAX_SECONDS (default LEASE_DEFAULT_SECONDS). Renew well before it lapses (a third of it). */
  readonly leaseSeconds?: number;
}

export interface InstanceLeaseBody {
  readonly leaseSeconds: number;
  /** The registry version of the service after this write. */
  readonly version: number;
}

export interface RegisteredInstance {
  readonly service: string;
  /** `host:port`, IPv6 in brackets, as mesh.yaml endpoints are written. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly meshed: boolean;
  readonly protocols: readonly string[];
  /** Epoch ms of the first registration of this instance. */
  readonly registeredAt: number;
}

/** A service's instances: a full set every time, never a delta. */
export interface ServiceInstancesBody {
  readonly service: string;
  /** Per service; goes up with every change of its set (not with lease renewals). */
  readonly version: number;
  readonly instances: readonly RegisteredInstance[];
}

export interface ServiceListBody {
  readonly services: Readonly<Record<string, { readonly instances: number; readonly version: number }>>;
}

export interface BundleBody {
  readonly bundle: string;
}

export interface CreateTokenBody {
  readonly service: string;
  /** 60 s .. 30 days. */
  readonly ttlSeconds: number;
  /** Default true: the token is accepted once, then refused as replayed. */
  readonly singleUse?: boolean;
}

export interface TokenBody {
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * The claims of a join token (a JWT the daemon signs with ES256). `sub` is the one service the
 * token lets a workload have a certificate for.
 */
export interface JoinTokenClaims {
  readonly iss: 'inmesh-control';
  readonly aud: 'inmesh-join';
  readonly sub: string;
  /** The trust domain the identity will be in. */
  readonly td: string;
  readonly jti: string;
  readonly exp: number;
  readonly iat: number;
  /** Present and true when the token may be used more than once. */
  readonly multi?: true;
}
