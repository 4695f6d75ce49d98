import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { startHttpServer, type TestServer } from './http-server.js';

export const ISSUER = 'https://idp.shop.local';
export const AUDIENCE = 'orders';

/** An identity provider for tests: an ES256 key pair, its public JWK Set, and tokens it signs. */
export interface TestIssuer {
  readonly jwks: { keys: JWK[] };
  /** A signed token: iss, aud, sub, iat and a 5-minute exp unless `claims` or `o` say otherwise. */
  sign(claims?: JWTPayload, o?: { kid?: string; expiresIn?: string | number; notBefore?: string | number }): Promise<string>;
}

export async function testIssuer(kid = 'key-1'): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    async sign(claims = {}, o = {}) {
      const jwt = new SignJWT({ sub: 'alice', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(o.expiresIn ?? '5m');
      if (o.notBefore !== undefined) jwt.setNotBefore(o.notBefore);
      if (claims.iss !== undefined) jwt.setIssuer(claims.iss);
      if (claims.aud !== undefined) jwt.setAudience(claims.aud);
      return jwt.sign(privateKey);
    },
  };
}

/** A JWT signed with `alg: none`: header and payload, no signature. */
export function unsignedToken(payload: JWTPayload): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

/** A real JWKS endpoint on 127.0.0.1 serving `jwks`; `hits()` counts the fetches. */
export function startJwksServer(jwks: { keys: JWK[] }): Promise<TestServer> {
  return startHttpServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
}
