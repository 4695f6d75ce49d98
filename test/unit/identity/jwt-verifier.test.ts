import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { JwtProviderConfig } from '../../../src/config/types.js';
import { InvalidTokenError, JwtVerifier } from '../../../src/identity/jwt-verifier.js';
import { AUDIENCE, ISSUER, startJwksServer, testIssuer, unsignedToken } from '../../helpers/jwt-issuer.js';
import type { TestServer } from '../../helpers/http-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function provider(p: Partial<JwtProviderConfig>): JwtProviderConfig {
  return { issuer: ISSUER, audiences: [AUDIENCE], jwksUri: undefined, jwks: undefined, header: 'authorization', timeout: 5000, ...p };
}

const verifierFor = (p: Partial<JwtProviderConfig>) => new JwtVerifier({ jwt: [provider(p)] });
const verify = (v: JwtVerifier, token: string) => v.verify({ token, header: 'authorization' });

describe('JwtVerifier', () => {
  it('returns the claims of a valid token', async () => {
    const idp = await testIssuer();
    const claims = await verify(verifierFor({ jwks: idp.jwks }), await idp.sign({ role: 'admin' }));
    expect(claims).toMatchObject({ iss: ISSUER, sub: 'alice', aud: AUDIENCE, role: 'admin' });
  });

  it('finds a token in Authorization: Bearer, or bare in a configured header, and ignores other schemes', () => {
    const v = verifierFor({ jwks: { keys: [] } });
    expect(v.tokenOf({ authorization: 'Bearer abc' })).toEqual({ token: 'abc', header: 'authorization' });
    expect(v.tokenOf({ authorization: 'bearer abc' })?.token).toBe('abc');
    expect(v.tokenOf({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(v.tokenOf({})).toBeUndefined();
    const custom = verifierFor({ jwks: { keys: [] }, header: 'x-jwt' });
    expect(custom.tokenOf({ 'x-jwt': 'abc', authorization: 'Bearer other' })).toEqual({ token: 'abc', header: 'x-jwt' });
  });

  it.each([
    ['a tampered payload', async (idp: Awaited<ReturnType<typeof testIssuer>>) => {
      const [h, , s] = (await idp.sign()).split('.');
      return `${h}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory', exp: 4e9 })).toString('base64url')}.${s}`;
    }, /signature does not verify/],
    ['an expired token', (idp: Awaited<ReturnType<typeof testIssuer>>) => idp.sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), /expired/],
    ['a token not yet valid', (idp: Awaited<ReturnType<typeof testIssuer>>) => idp.sign({}, { notBefore: '10m' }), /nbf/],
    ['a wrong audience', (idp: Awaited<ReturnType<typeof testIssuer>>) => idp.sign({ aud: 'payments' }), /aud/],
    ['alg none', () => Promise.resolve(unsignedToken({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory', exp: 4e9 })), /algorithm is not accepted/],
    ['an unknown kid', (idp: Awaited<ReturnType<typeof testIssuer>>) => idp.sign({}, { kid: 'other' }), /no key of the issuer matches/],
    ['garbage', () => Promise.resolve('not.a.jwt'), /not a well-formed JWT/],
  ])('refuses %s', async (_name, make, message) => {
    const idp = await testIssuer();
    const err = await verify(verifierFor({ jwks: idp.jwks }), await make(idp)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a token of an issuer it does not trust', async () => {
    const idp = await testIssuer();
    await expect(verify(verifierFor({ jwks: idp.jwks }), await idp.sign({ iss: 'https://evil.local' }))).rejects.toThrow(/issuer "https:\/\/evil.local" is not trusted/);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const idp = await testIssuer();
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${part({ alg: 'HS256', kid: 'key-1' })}.${part({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory', exp: 4e9 })}`;
    const mac = createHmac('sha256', JSON.stringify(idp.jwks.keys[0])).update(input).digest('base64url');
    await expect(verify(verifierFor({ jwks: idp.jwks }), `${input}.${mac}`)).rejects.toThrow(/algorithm is not accepted/);
  });

  it('fetches a flood of 200 tokens with unknown kids from the JWKS URL at most twice', async () => {
    const idp = await testIssuer();
    const jwks = await startJwksServer(idp.jwks);
    servers.push(jwks);
    const v = verifierFor({ jwksUri: `${jwks.url}/jwks` });
    const flood = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => verify(v, await idp.sign({}, { kid: `random-${i}-${Math.random()}` })).then(() => 'ok', (e: Error) => e.name)),
    );
    expect(new Set(flood)).toEqual(new Set(['InvalidTokenError']));
    for (let i = 0; i < 20; i++) await verify(v, await idp.sign({}, { kid: `later-${i}` })).catch(() => undefined);
    expect(await verify(v, await idp.sign())).toMatchObject({ sub: 'alice' }); // the known kid is served from the cache
    expect(jwks.hits()).toBeGreaterThanOrEqual(1);
    expect(jwks.hits()).toBeLessThanOrEqual(2);
  });

  it('refuses at once, without a fetch per token, while the JWKS server is down', async () => {
    const idp = await testIssuer();
    const gone = await startJwksServer(idp.jwks);
    await gone.close();
    const v = verifierFor({ jwksUri: `${gone.url}/jwks` });
    await expect(verify(v, await idp.sign())).rejects.toThrow(InvalidTokenError);
    await expect(verify(v, await idp.sign())).rejects.toThrow(/could not be fetched a moment ago/);
  });

  it('gives up on a JWKS server that never answers after its timeout', async () => {
    const idp = await testIssuer();
    const silent = await startJwksServer(idp.jwks);
    servers.push(silent);
    silent.server.removeAllListeners('request');
    const v = verifierFor({ jwksUri: `${silent.url}/jwks`, timeout: 200 });
    const started = Date.now();
    await expect(verify(v, await idp.sign())).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
