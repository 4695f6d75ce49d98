/** Every code a caller of the mesh can see, in one table (fastify's lib/errors.js habit). */
export const MeshErrorCodes = {
  MESH_ERR_NO_ENDPOINTS: 'the service has no endpoints to send to',
  MESH_ERR_UNKNOWN_SERVICE: 'the host is not a service in the mesh and outbound traffic is denied',
  MESH_ERR_CIRCUIT_OPEN: 'the circuit breaker is open',
  MESH_ERR_DEADLINE_EXCEEDED: 'the deadline passed before an answer came',
  MESH_ERR_RETRY_BUDGET_EXHAUSTED: 'the retry budget is spent',
  MESH_ERR_OVERLOADED: 'too many calls in flight',
  MESH_ERR_RATE_LIMITED: 'the caller sent more requests than the rate limit allows',
  MESH_ERR_BAD_REQUEST: 'the request is malformed (a mesh header, its size or its protocol)',
  MESH_ERR_UNAUTHORIZED: 'the caller is not allowed to make this call (403), or its token did not verify (401)',
  MESH_ERR_PEER_IDENTITY: "the peer's identity could not be verified",
  MESH_ERR_CONFIG_INVALID: 'the configuration is invalid',
  MESH_ERR_IDENTITY: 'a SPIFFE ID, certificate, key or CA is invalid or cannot be used',
  MESH_ERR_TRANSPORT: 'the connection to the endpoint failed',
  MESH_ERR_CANCELLED: 'the caller cancelled the call',
  MESH_ERR_CLOSED: 'the mesh is closed',
} as const;

export type MeshErrorCode = keyof typeof MeshErrorCodes;

const kMeshError = Symbol.for('inmesh.error');

export interface MeshErrorOptions {
  /** Safe to try again (possibly elsewhere): the request may or may not have been processed. */
  retryable?: boolean;
  /** The request was refused before any processing, so it is safe to send elsewhere (Finagle's Rejected). */
  rejected?: boolean;
  cause?: unknown;
  service?: string;
  endpoint?: string;
  attempt?: number;
}

/**
 * The one error type the mesh throws: a stable `code` and flags that drive retries, not class names.
 *
 * @example
 * try { await mesh.request('http://orders/') } catch (e) { if (isMeshError(e) && e.code === 'MESH_ERR_NO_ENDPOINTS') … }
 */
export class MeshError extends Error {
  readonly code: MeshErrorCode;
  readonly retryable: boolean;
  readonly rejected: boolean;
  service: string | undefined;
  endpoint: string | undefined;
  attempt: number | undefined;

  constructor(code: MeshErrorCode, message: string, o: MeshErrorOptions = {}) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.name = 'MeshError';
    this.code = code;
    this.retryable = o.retryable ?? false;
    this.rejected = o.rejected ?? false;
    this.service = o.service;
    this.endpoint = o.endpoint;
    this.attempt = o.attempt;
  }

  get [kMeshError](): true {
    return true;
  }

  /**
   * `instanceof MeshError` recognises the brand, so errors from another copy of the package
   * count; subclasses keep the ordinary prototype check (else every MeshError would pass
   * `instanceof TransportError`).
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this !== MeshError) return Function.prototype[Symbol.hasInstance].call(this, x);
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[kMeshError] === true;
  }
}

/** True for any MeshError, also one from another copy of the package. */
export function isMeshError(x: unknown): x is MeshError {
  return x instanceof MeshError;
}

export class NoHealthyEndpointsError extends MeshError {
  constructor(service: string, detail = 'no endpoints') {
    super('MESH_ERR_NO_ENDPOINTS', `${service}: ${detail}`, { rejected: true, service });
    this.name = 'NoHealthyEndpointsError';
  }
}

export class UnknownServiceError extends MeshError {
  constructor(host: string) {
    super('MESH_ERR_UNKNOWN_SERVICE', `${host} is not a service in the mesh and outbound: deny is set`, { rejected: true });
    this.name = 'UnknownServiceError';
  }
}

export class DeadlineExceededError extends MeshError {
  constructor(message = 'deadline exceeded', o: MeshErrorOptions = {}) {
    super('MESH_ERR_DEADLINE_EXCEEDED', message, { ...o, retryable: false });
    this.name = 'DeadlineExceededError';
  }
}

export class CircuitOpenError extends MeshError {
  constructor(message = 'circuit open', o: MeshErrorOptions = {}) {
    super('MESH_ERR_CIRCUIT_OPEN', message, { ...o, rejected: true, retryable: true });
    this.name = 'CircuitOpenError';
  }
}

export class RetryBudgetExhaustedError extends MeshError {
  constructor(message = 'retry budget exhausted', o: MeshErrorOptions = {}) {
    super('MESH_ERR_RETRY_BUDGET_EXHAUSTED', message, { ...o, retryable: false });
    this.name = 'RetryBudgetExhaustedError';
  }
}

export class PeerIdentityError extends MeshError {
  constructor(message: string, o: MeshErrorOptions = {}) {
    super('MESH_ERR_PEER_IDENTITY', message, o);
    this.name = 'PeerIdentityError';
  }
}

/** One problem in a configuration, located in its source where there is one. */
export interface ConfigIssue {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted key path, e.g. `services.orders.retries.budget`. */
  readonly path: string;
  readonly message: string;
}

/** Formats an issue as `file:line:col key.path: message`. */
export function formatConfigIssue(i: ConfigIssue): string {
  const where = i.file ? `${i.file}${i.line ? `:${i.line}:${i.column ?? 1}` : ''} ` : i.line ? `${i.line}:${i.column ?? 1} ` : '';
  return `${where}${i.path || '(root)'}: ${i.message}`;
}

export class ConfigValidationError extends MeshError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super('MESH_ERR_CONFIG_INVALID', `invalid mesh configuration:\n${issues.map((i) => `  ${formatConfigIssue(i)}`).join('\n')}`);
    this.name = 'ConfigValidationError';
    this.issues = issues;
  }
}

/** What went wrong below the mesh, in the words retry policies use (`retries.on`). */
export type TransportFailure = 'connect-failure' | 'reset' | 'refused-stream' | 'timeout' | 'other';

/**
 * A failure below the mesh (connect, reset, TLS); the undici or grpc error is the cause.
 * A connect failure sent nothing, so it is `rejected` (safe to send elsewhere).
 */
export class TransportError extends MeshError {
  readonly failure: TransportFailure;
  constructor(failure: TransportFailure, message: string, o: MeshErrorOptions = {}) {
    super('MESH_ERR_TRANSPORT', message, {
      ...o,
      rejected: o.rejected ?? (failure === 'connect-failure' || failure === 'refused-stream'),
      retryable: o.retryable ?? failure !== 'other',
    });
    this.name = 'TransportError';
    this.failure = failure;
  }
}

/**
 * A concurrency limit or admission queue refused the call before it was sent: `rejected`,
 * so it is safe to retry (elsewhere, or later).
 */
export class OverloadedError extends MeshError {
  constructor(message = 'too many calls in flight', o: MeshErrorOptions = {}) {
    super('MESH_ERR_OVERLOADED', message, { ...o, rejected: true, retryable: true });
    this.name = 'OverloadedError';
  }
}

/**
 * One attempt ran past its per-try timeout and was cancelled; the call as a whole may go on.
 * A transport failure of kind `timeout`, so retry policies that list `timeout` retry it.
 */
export class PerTryTimeoutError extends TransportError {
  constructor(message = 'attempt timed out', o: MeshErrorOptions = {}) {
    super('timeout', message, { ...o, retryable: true, rejected: false });
    this.name = 'PerTryTimeoutError';
  }
}
