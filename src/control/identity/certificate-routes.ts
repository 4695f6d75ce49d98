import { X509Certificate } from 'node:crypto';
import { isMeshError } from '../../index.js';
import { ControlPaths, parseCsr, type CertificateResponseBody, type JoinTokenClaims } from '../../experimental.js';
import type { DaemonContext } from '../daemon-context.js';
import { serviceOfIdentity } from '../http/caller-identity.js';
import { badRequest, ControlHttpError, forbidden, unauthenticated } from '../http/control-http-error.js';
import { readJsonObject } from '../http/read-body.js';
import { sendJson } from '../http/respond.js';
import type { RequestContext, Route } from '../http/router.js';
import { checkServiceName } from '../names.js';
import { bearerToken } from './admin-token.js';

/** A certificate lives 1 s to a week (identity.certTtl is at most 168h). */
const MAX_TTL_SECONDS = 7 * 86_400;
const MAX_CSR_LENGTH = 16 * 1024;
const KEYS = new Set(['service', 'csr', 'ttlSeconds']);

interface Checked {
  readonly service: string;
  readonly csr: string;
  readonly ttlSeconds: number;
}

function checkBody(body: Record<string, unknown>): Checked {
  for (const key of Object.keys(body)) if (!KEYS.has(key)) throw badRequest(`unknown field ${JSON.stringify(key.slice(0, 60))}; expected service, csr, ttlSeconds`);
  const service = checkServiceName(body.service);
  if (typeof body.csr !== 'string' || body.csr.length === 0 || body.csr.length > MAX_CSR_LENGTH) throw badRequest(`csr must be a PEM certificate request of at most ${MAX_CSR_LENGTH} characters`);
  const ttl = body.ttlSeconds;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) throw badRequest(`ttlSeconds must be a whole number from 1 to ${MAX_TTL_SECONDS}`);
  return { service, csr: body.csr, ttlSeconds: ttl };
}

/** The ID a CSR asks for must be exactly the one the caller proved: a malformed CSR is 400, another ID 403. */
function checkAsks(csr: string, expected: string): void {
  let asked: readonly string[];
  try {
    asked = parseCsr(csr).uris;
  } catch (e) {
    throw new ControlHttpError(400, 'MESH_ERR_IDENTITY', isMeshError(e) ? e.message : 'the certificate request cannot be read');
  }
  if (asked.length !== 1) throw new ControlHttpError(400, 'MESH_ERR_IDENTITY', `the certificate request must name exactly one SPIFFE ID, ${expected}; it names ${asked.length}`);
  if (asked[0] !== expected) throw forbidden(`the certificate request asks for ${asked[0]!.slice(0, 200)}, but this caller may only get ${expected}`);
}

/**
 * How the caller proves it may have `expected`: its current certificate for the service (a
 * renewal: undefined), else a join token for it (its claims). `tokenFor` hears the service of a
 * token for another one, so the refusal is counted under it.
 */
async function authenticate(ctx: RequestContext, d: DaemonContext, service: string, expected: string, tokenFor: (sub: string) => void): Promise<JoinTokenClaims | undefined> {
  if (serviceOfIdentity(ctx.caller, d.trustDomain) === service) return undefined;
  const token = bearerToken(ctx.req.headers.authorization);
  if (token === undefined) {
    if (ctx.caller !== undefined) throw forbidden(`${ctx.caller} may renew only its own identity, not ${expected}`);
    throw unauthenticated(`a certificate for ${expected} needs a join token for ${service} (authorization: Bearer …) or the current certificate of ${service}`);
  }
  const claims = await d.joinTokens.verify(token);
  if (claims.sub !== service) {
    tokenFor(claims.sub);
    throw forbidden(`the join token is for service ${claims.sub}, not ${service}`);
  }
  return claims;
}

/**
 * `POST /v1/identity/certificates`: a CSR for `spiffe://<td>/svc/<service>` in, the signed
 * certificate and the bundle out. The caller proves it may have that identity by a join token
 * for the service (single-use ones are spent here) or by its current certificate for it (a
 * renewal). Issuance is rate-limited; each one is logged and counted.
 */
export function certificateRoutes(d: DaemonContext): Route[] {
  async function issue(ctx: RequestContext): Promise<void> {
    // The service a refusal is counted under: one the caller proved, else '-'; undefined once counted.
    let counted: string | undefined = '-';
    try {
      const body = checkBody(await readJsonObject(ctx.req, d.bodyTimeoutMs));
      const expected = `spiffe://${d.trustDomain}/svc/${body.service}`;
      const claims = await authenticate(ctx, d, body.service, expected, (sub) => (counted = sub));
      counted = body.service;
      checkAsks(body.csr, expected);
      // The bucket is spent only by callers that proved who they are, so anonymous traffic cannot starve enrolment.
      const waitMs = d.issuance.take();
      if (waitMs > 0) {
        d.metrics.issuance(body.service, 'rate_limited');
        counted = undefined;
        throw new ControlHttpError(429, 'MESH_ERR_RATE_LIMITED', 'too many certificate requests; try again shortly', { headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) } });
      }
      let certificate: string;
      try {
        certificate = d.ca.signCsr(body.csr, { expectedSpiffeId: expected, ttl: body.ttlSeconds * 1000 });
      } catch (e) {
        throw new ControlHttpError(400, 'MESH_ERR_IDENTITY', isMeshError(e) ? e.message : 'the certificate request cannot be signed');
      }
      if (claims && claims.multi !== true && !(await d.store.consumeToken(claims.jti, claims.exp * 1000))) {
        throw unauthenticated('the join token has been used already: a single-use token admits one workload (create one with --multi to share it)');
      }
      const leaf = new X509Certificate(certificate);
      d.log.info('certificate issued', { service: body.service, spiffeId: expected, serial: leaf.serialNumber, notAfter: new Date(leaf.validTo).toISOString(), by: claims ? 'join-token' : 'renewal', ...(claims && { jti: claims.jti }) });
      d.metrics.issuance(body.service, 'issued');
      sendJson(ctx.res, 200, { certificate, bundle: d.ca.bundlePem } satisfies CertificateResponseBody);
    } catch (e) {
      if (counted !== undefined) d.metrics.issuance(counted, 'refused');
      throw e;
    }
  }

  function bundle({ res }: RequestContext): void {
    sendJson(res, 200, { bundle: d.ca.bundlePem });
  }

  return [
    { template: ControlPaths.certificates, methods: { POST: issue } },
    { template: ControlPaths.bundle, methods: { GET: bundle } },
  ];
}
