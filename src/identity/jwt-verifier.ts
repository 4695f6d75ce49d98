import type { IncomingHttpHeaders } from 'node:http';
import type { AuthenticationConfig, JwtProviderConfig } from '../config/types.js';
import type { Claims } from './authorization-policy.js';

type Jose = typeof import('jose');
type KeySet = ReturnType<Jose['createLocalJWKSet']> | ReturnType<Jose['createRemoteJWKSet']>;

let jose: Promise<Jose> | undefined;

/**
 * jose, imported on the first configuration that verifies JWTs: a workload without end-user
 * authentication never loads it.
 */
export function loadJose(): Promise<Jose> {
  return (jose ??= import('jose'));
}

/**
 * Asymmetric signatures only: `none` is never accepted, and a public key can never be used as an
 * HMAC secret (the RS256 → HS256 confusion), since no HS* algorithm is on the list.
 */
export const JWT_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** How long the keys of an issuer are refetched at most once after an unknown `kid` (jose's cooldown). */
export const JWKS_COOLDOWN_MS = 30_000;
/** How long the keys are kept before a refetch. */
export const JWKS_MAX_AGE_MS = 600_000;
/** After a failed JWKS fetch, tokens of that issuer are refused at once for this long, instead of each fetching again. */
export const JWKS_FAILURE_BACKOFF_MS = 1_000;

/** A token was present and did not verify: the request gets 401. */
export class InvalidTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

/** A token as found in a request: the header it came in. */
export interface FoundToken {
  readonly token: string;
  readonly header: string;
}

interface Provider {
  readonly config: JwtProviderConfig;
  keys: KeySet | undefined;
  failedAt: number;
}

/**
 * Verifies end-user JWTs for one served service (Istio RequestAuthentication): the token's `iss`
 * picks the provider, whose keys (inline, or fetched from `jwksUri` and cached by jose) check the
 * signature; `exp`, `nbf`, `iss` and `aud` are checked too. A request without a token is not this
 * verifier's business: authorization decides whether it needs one.
 *
 * @example
 * const verifier = new JwtVerifier(config.authentication.orders);
 * const found = verifier.tokenOf(req.headers);
 * if (found) req.mesh.claims = await verifier.verify(found); // throws InvalidTokenError
 */
export class JwtVerifier {
  readonly #providers = new Map<string, Provider>();
  /** The distinct headers tokens come in, authorization first when listed. */
  readonly #headers: readonly string[];

  constructor(cfg: AuthenticationConfig) {
    for (const p of cfg.jwt) this.#providers.set(p.issuer, { config: p, keys: undefined, failedAt: -Infinity });
    this.#headers = [...new Set(cfg.jwt.map((p) => p.header))];
  }

  /**
   * The token a request carries: `Authorization: Bearer <token>`, or the bare value of another
   * configured header. An authorization header of another scheme (Basic) is not a token.
   */
  tokenOf(headers: IncomingHttpHeaders): FoundToken | undefined {
    for (const header of this.#headers) {
      const value = headers[header];
      if (typeof value !== 'string' || value === '') continue;
      if (header !== 'authorization') return { token: value.trim(), header };
      if (value.length > 7 && value.slice(0, 7).toLowerCase() === 'bearer ') return { token: value.slice(7).trim(), header };
    }
    return undefined;
  }

  /** The verified claims; throws InvalidTokenError, whose message says what was wrong with the token. */
  async verify(found: FoundToken): Promise<Claims> {
    const j = await loadJose();
    let issuer: unknown;
    try {
      issuer = j.decodeJwt(found.token).iss;
    } catch (err) {
      throw new InvalidTokenError('the token is not a well-formed JWT', { cause: err });
    }
    const provider = typeof issuer === 'string' ? this.#providers.get(issuer) : undefined;
    if (provider === undefined) throw new InvalidTokenError(`the token's issuer ${JSON.stringify(issuer)} is not trusted here`);
    const cfg = provider.config;
    if (cfg.header !== found.header) throw new InvalidTokenError(`tokens of ${cfg.issuer} are read from the ${cfg.header} header, not ${found.header}`);
    const keys = (provider.keys ??= keySet(j, cfg));
    const remote = 'fresh' in keys;
    if (remote && !keys.fresh && Date.now() - provider.failedAt < JWKS_FAILURE_BACKOFF_MS) {
      throw new InvalidTokenError(`the keys of ${cfg.issuer} could not be fetched a moment ago`);
    }
    try {
      const { payload } = await j.jwtVerify(found.token, keys, { issuer: cfg.issuer, audience: cfg.audiences as string[] | undefined, algorithms: JWT_ALGORITHMS as string[] });
      return payload;
    } catch (err) {
      if (remote && isFetchFailure(err)) provider.failedAt = Date.now();
      throw new InvalidTokenError(describe(err), { cause: err });
    }
  }
}

function keySet(j: Jose, cfg: JwtProviderConfig): KeySet {
  if (cfg.jwksUri !== undefined) {
    return j.createRemoteJWKSet(new URL(cfg.jwksUri), { timeoutDuration: cfg.timeout, cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: JWKS_MAX_AGE_MS });
  }
  return j.createLocalJWKSet(cfg.jwks as Parameters<Jose['createLocalJWKSet']>[0]);
}

function isFetchFailure(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || err instanceof TypeError;
}

/** jose's reason in the words a caller can act on. */
function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return "the token's signature does not verify";
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return "the token's algorithm is not accepted (asymmetric signatures only)";
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return "no key of the issuer matches the token's kid";
    case 'ERR_JWKS_TIMEOUT':
      return "fetching the issuer's keys timed out";
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `the token's ${String((err as { claim?: unknown }).claim)} claim is not accepted: ${(err as Error).message}`;
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
