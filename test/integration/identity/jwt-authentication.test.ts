import { createServer, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mesh } from '../../../src/index.js';
import { waitFor } from '../../helpers/http-server.js';
import { AUDIENCE, ISSUER, startJwksServer, testIssuer, unsignedToken } from '../../helpers/jwt-issuer.js';
import { accessMesh, rawRequest, TEST_PEER } from '../server/access-helpers.js';
import { errorCode } from '../server/serve-helpers.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function serveWith(config: Record<string, unknown>, opts: { maxConcurrent?: number; maxQueue?: number } = {}) {
  const { mesh, log } = await accessMesh(config);
  closers.push(() => mesh.close());
  const seen: Array<Readonly<Record<string, unknown>> | undefined> = [];
  const served = await mesh.serve((req, res) => {
    seen.push(req.mesh.claims);
    res.end('ok');
  }, opts);
  const call = (token?: string, path = '/', extra: Record<string, string> = {}) =>
    rawRequest(served.url, path, { headers: { ...(token && { authorization: `Bearer ${token}` }), ...extra } });
  return { mesh, log, served, seen, call };
}

const jwtOf = (keys: object) => ({ orders: { jwt: [{ issuer: ISSUER, audiences: [AUDIENCE], ...keys }] } });

const deniedFor = async (mesh: Mesh, reason: string) => {
  const text = await mesh.metrics.getSingleMetricAsString('inmesh_authz_denied_total');
  return Number(new RegExp(`reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
};

describe('end-user JWT on mesh.serve', () => {
  it('puts the claims of a valid token on req.mesh.claims, and lets a request without a token through', async () => {
    const idp = await testIssuer();
    const s = await serveWith({ authentication: jwtOf({ jwks: idp.jwks }) });
    expect((await s.call(await idp.sign({ role: 'admin' }))).status).toBe(200);
    expect(s.seen[0]).toMatchObject({ iss: ISSUER, sub: 'alice', role: 'admin' });
    expect((await s.call()).status).toBe(200);
    expect(s.seen[1]).toBeUndefined();
  });

  it('answers an invalid token 401 with www-authenticate, before the handler, counted as jwt', async () => {
    const idp = await testIssuer();
    const s = await serveWith({ authentication: jwtOf({ jwks: idp.jwks }) });
    const expired = await s.call(await idp.sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 5 }));
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(errorCode(expired.body)).toBe('MESH_ERR_UNAUTHORIZED');
    expect(JSON.parse(expired.body).error.message).toMatch(/expired/);
    expect((await s.call(unsignedToken({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory' }))).status).toBe(401);
    expect((await s.call(await idp.sign({ aud: 'payments' }))).status).toBe(401);
    expect(s.seen).toHaveLength(0);
    expect(await deniedFor(s.mesh, 'jwt')).toBe(3);
  });

  it('matches principals and claims in authorization rules', async () => {
    const idp = await testIssuer();
    const s = await serveWith({
      authentication: jwtOf({ jwks: idp.jwks }),
      authorization: {
        orders: [
          { principals: [`${ISSUER}/*`], paths: ['/me'] },
          { when: { claims: { groups: 'admins' } }, paths: ['/admin/*'] },
        ],
      },
    });
    expect((await s.call(await idp.sign(), '/me')).status).toBe(200);
    expect((await s.call(undefined, '/me')).status).toBe(403); // no token: no principal
    expect((await s.call(await idp.sign({ groups: ['staff'] }), '/admin/x')).status).toBe(403);
    expect((await s.call(await idp.sign({ groups: ['staff', 'admins'] }), '/admin/x')).status).toBe(200);
    expect(await deniedFor(s.mesh, 'no-rule')).toBe(1);
    expect(await deniedFor(s.mesh, 'no-identity')).toBe(1);
  });

  it('verifies against keys fetched from a jwksUri', async () => {
    const idp = await testIssuer();
    const jwks = await startJwksServer(idp.jwks);
    closers.push(() => jwks.close());
    const s = await serveWith({ authentication: jwtOf({ jwksUri: `${jwks.url}/jwks` }) });
    expect((await s.call(await idp.sign())).status).toBe(200);
    expect((await s.call(await idp.sign({ n: 2 }))).status).toBe(200);
    expect(jwks.hits()).toBe(1);
  });

  it('answers 401, not a hang or a crash, while the JWKS server is down; requests without a token still pass', async () => {
    const idp = await testIssuer();
    const gone = await startJwksServer(idp.jwks);
    await gone.close();
    const s = await serveWith({ authentication: jwtOf({ jwksUri: `${gone.url}/jwks`, timeout: '500ms' }) });
    const started = Date.now();
    const answers = await Promise.all([1, 2, 3].map(async () => (await s.call(await idp.sign())).status));
    expect(answers).toEqual([401, 401, 401]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await s.call()).status).toBe(200);
  });

  it('holds no admission slot while a token waits for its issuer\'s keys', async () => {
    const idp = await testIssuer();
    const pending: ServerResponse[] = [];
    const slow = createServer((_req, res) => pending.push(res));
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    closers.push(() => new Promise((r) => { slow.closeAllConnections(); slow.close(r); }));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/jwks`;
    const s = await serveWith({ authentication: jwtOf({ jwksUri: url, timeout: '5s' }) }, { maxConcurrent: 1, maxQueue: 0 });
    const waiting = s.call(await idp.sign());
    await waitFor(() => pending.length === 1, 5000, 'the JWKS fetch');
    expect((await s.call()).status).toBe(200); // the one slot was free
    pending[0]!.setHeader('content-type', 'application/json');
    pending[0]!.end(JSON.stringify(idp.jwks));
    expect((await waiting).status).toBe(200);
  });
});
