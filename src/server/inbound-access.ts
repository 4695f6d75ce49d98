import type { Clock, Logger, MeshErrorCode } from '../core/index.js';
import type { MeshConfig } from '../config/types.js';
import { compileAuthorizationPolicy, type AuthorizationPolicy, type Claims, type DenyReason } from '../identity/authorization-policy.js';
import { JwtVerifier, loadJose, type FoundToken } from '../identity/jwt-verifier.js';
import { requestPath } from '../identity/request-path.js';
import type { MeshMetrics } from '../telemetry/index.js';
import { DenialLog } from './denial-log.js';
import type { InboundExchange } from './inbound-exchange.js';

/** The `reason` label of `inmesh_authz_denied_total`. */
export type AccessReason = DenyReason | 'jwt' | 'bad-path';

/** How the stack answers a request authentication or authorization refused. */
export interface AccessRefusal {
  readonly status: 400 | 401 | 403;
  readonly code: MeshErrorCode;
  readonly reason: AccessReason;
  readonly message: string;
  /** `www-authenticate` of a 401 (RFC 6750). */
  readonly challenge?: string;
}

/** What `check` found: pass (undefined), a refusal, or a token still being verified. */
export type AccessVerdict = AccessRefusal | undefined | Promise<AccessRefusal | undefined>;

const FORBIDDEN: Readonly<Record<DenyReason, AccessRefusal>> = {
  'deny-rule': { status: 403, code: 'MESH_ERR_UNAUTHORIZED', reason: 'deny-rule', message: 'a deny rule of this service matches the request' },
  'no-rule': { status: 403, code: 'MESH_ERR_UNAUTHORIZED', reason: 'no-rule', message: 'no authorization rule of this service allows the request' },
  'no-identity': { status: 403, code: 'MESH_ERR_UNAUTHORIZED', reason: 'no-identity', message: 'the request has no peer identity (plaintext) and no token, and no rule allows anonymous callers' },
};

const BAD_PATH: AccessRefusal = {
  status: 400,
  code: 'MESH_ERR_BAD_REQUEST',
  reason: 'bad-path',
  message: "the request path has a '.' or '..' segment, an empty segment, an encoded '/' or '\\', or a malformed escape",
};

const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/**
 * The access rules of one served service in one config snapshot: the JWT verifier (mesh.yaml
 * `authentication`) and the compiled authorization policy (`authorization`). A request keeps the
 * rules it arrived under, also when a reload lands while its token is verified.
 */
export class AccessRules {
  readonly policy: AuthorizationPolicy | undefined;
  readonly jwt: JwtVerifier | undefined;

  constructor(policy: AuthorizationPolicy | undefined, jwt: JwtVerifier | undefined) {
    this.policy = policy;
    this.jwt = jwt;
  }

  /**
   * Authenticates (a token present must verify, else 401) then authorizes (403). Synchronous
   * unless a token has to be verified; sets `ex.claims` when one does.
   */
  check(ex: InboundExchange): AccessVerdict {
    const found = this.jwt?.tokenOf(ex.req.headers);
    if (found !== undefined) return this.#verifyThenAuthorize(ex, found);
    return this.authorize(ex);
  }

  authorize(ex: InboundExchange): AccessRefusal | undefined {
    const policy = this.policy;
    if (policy === undefined) return undefined;
    const path = requestPath(ex.req.url ?? '');
    if (path === undefined) return BAD_PATH;
    const claims = ex.claims;
    const reason = policy.decide(ex.peer, claims && principalOf(claims), claims, ex.req.method ?? '', path);
    return reason === undefined ? undefined : FORBIDDEN[reason];
  }

  async #verifyThenAuthorize(ex: InboundExchange, found: FoundToken): Promise<AccessRefusal | undefined> {
    try {
      ex.claims = await this.jwt!.verify(found);
    } catch (err) {
      const message = `invalid token: ${err instanceof Error ? err.message : String(err)}`;
      return { status: 401, code: 'MESH_ERR_UNAUTHORIZED', reason: 'jwt', message, challenge: INVALID_TOKEN_CHALLENGE };
    }
    return this.authorize(ex);
  }
}

/** Istio's request principal: `<iss>/<sub>` of the verified token. */
function principalOf(claims: Claims): string | undefined {
  const { iss, sub } = claims;
  return typeof iss === 'string' && typeof sub === 'string' ? `${iss}/${sub}` : undefined;
}

/**
 * The access rules of this workload's own service, rebuilt on every config snapshot; `current` is
 * undefined when the service has neither `authorization` nor `authentication`, and then a request
 * pays for nothing here. Also counts and logs refusals.
 */
export class InboundAccess {
  readonly #service: string;
  readonly #metrics: MeshMetrics;
  readonly #log: Logger;
  readonly #denials: DenialLog;
  readonly #counters = new Map<AccessReason, { inc(): void }>();
  #current: AccessRules | undefined;
  /** The verifier is kept across reloads that leave `authentication` as it was, and with it the cached keys. */
  #jwt: { readonly key: string; readonly verifier: JwtVerifier } | undefined;

  constructor(o: { service: string; metrics: MeshMetrics; log: Logger; clock: Clock }) {
    this.#service = o.service;
    this.#metrics = o.metrics;
    this.#log = o.log;
    this.#denials = new DenialLog(o.log, o.clock);
  }

  get current(): AccessRules | undefined {
    return this.#current;
  }

  apply(config: MeshConfig): void {
    const rules = config.authorization[this.#service];
    const authn = config.authentication[this.#service];
    let verifier: JwtVerifier | undefined;
    if (authn !== undefined) {
      const key = JSON.stringify(authn);
      if (this.#jwt?.key !== key) this.#jwt = { key, verifier: new JwtVerifier(authn) };
      verifier = this.#jwt.verifier;
      // Loaded now rather than by the first request that carries a token.
      loadJose().catch((err: unknown) => this.#log.error('jose could not be loaded: tokens will be refused', { err }));
    } else this.#jwt = undefined;
    this.#current = rules === undefined && verifier === undefined ? undefined : new AccessRules(rules && compileAuthorizationPolicy(rules), verifier);
  }

  /** Counts a refusal (`inmesh_authz_denied_total`) and logs it, rate-limited. */
  refused(ex: InboundExchange, refusal: AccessRefusal): void {
    let c = this.#counters.get(refusal.reason);
    if (c === undefined) this.#counters.set(refusal.reason, (c = this.#metrics.authzDenied.labels({ service: this.#service, reason: refusal.reason })));
    c.inc();
    this.#denials.warn('inbound request refused', () => ({
      service: this.#service,
      status: refusal.status,
      reason: refusal.reason,
      caller: ex.peer ?? `plaintext ${ex.req.socket?.remoteAddress ?? 'unknown'}`,
      ...(ex.claims && { principal: principalOf(ex.claims) }),
      method: ex.req.method,
      path: (ex.req.url ?? '').slice(0, 200),
      detail: refusal.message,
    }));
  }
}
