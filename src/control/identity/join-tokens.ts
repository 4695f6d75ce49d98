import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { JoinTokenClaims } from '../../experimental.js';
import { unauthenticated } from '../http/control-http-error.js';

export const JOIN_TOKEN_ISSUER = 'inmesh-control';
export const JOIN_TOKEN_AUDIENCE = 'inmesh-join';
/** A join token lives 60 s to 30 days. */
export const JOIN_TOKEN_MIN_TTL_SECONDS = 60;
export const JOIN_TOKEN_MAX_TTL_SECONDS = 30 * 86_400;

/** Longer than any ES256 JWT we sign; a longer bearer is refused unparsed. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * Join tokens: ES256 JWTs signed with the daemon's token key, each naming the one service
 * (`sub`) a workload may have a certificate for, the trust domain, an id (`jti`, for refusing
 * replays of single-use tokens) and an expiry. `now` is wall time in epoch ms.
 */
export class JoinTokens {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #trustDomain: string;
  readonly #now: () => number;

  constructor(privateKeyPem: string, trustDomain: string, now: () => number) {
    this.#privateKey = createPrivateKey(privateKeyPem);
    this.#publicKey = createPublicKey(this.#privateKey);
    this.#trustDomain = trustDomain;
    this.#now = now;
  }

  async create(service: string, ttlSeconds: number, singleUse: boolean): Promise<{ token: string; expiresAt: number }> {
    const iat = Math.floor(this.#now() / 1000);
    const claims: JoinTokenClaims = {
      iss: JOIN_TOKEN_ISSUER,
      aud: JOIN_TOKEN_AUDIENCE,
      sub: service,
      td: this.#trustDomain,
      jti: randomBytes(16).toString('base64url'),
      iat,
      exp: iat + ttlSeconds,
      ...(!singleUse && { multi: true as const }),
    };
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(this.#privateKey);
    return { token, expiresAt: claims.exp * 1000 };
  }

  /** The claims of a token this daemon signed and that has not expired; else a 401 saying why. */
  async verify(token: string): Promise<JoinTokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('the join token is not one this daemon signed');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#publicKey, {
        algorithms: ['ES256'],
        issuer: JOIN_TOKEN_ISSUER,
        audience: JOIN_TOKEN_AUDIENCE,
        currentDate: new Date(this.#now()),
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      }));
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw unauthenticated('the join token has expired: ask for a new one (inmesh token create)');
      throw unauthenticated('the join token is not one this daemon signed, or it is malformed');
    }
    if (payload.td !== this.#trustDomain) throw unauthenticated(`the join token is for another trust domain than ${this.#trustDomain}`);
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') throw unauthenticated('the join token lacks sub, jti or exp');
    return payload as unknown as JoinTokenClaims;
  }
}
