import { dataRecord } from './data-record.js';
import { parseDuration } from './duration.js';
import type { IssueList } from './key-path.js';
import type { RawMesh } from './schema.js';
import type { AuthenticationConfig, AuthorizationRule, JwtProviderConfig } from './types.js';

/** How long a JWKS fetch may take by default: a request waiting on it waits no longer. */
export const DEFAULT_JWKS_TIMEOUT = 5000;

type RawRule = NonNullable<RawMesh['authorization']>[string][number];
type RawAuthentication = NonNullable<RawMesh['authentication']>[string];

export function normalizeAuthorization(raw: RawMesh['authorization'], issues: IssueList): Record<string, readonly AuthorizationRule[]> {
  const out = dataRecord<readonly AuthorizationRule[]>();
  for (const [service, rules] of Object.entries(raw ?? {})) out[service] = rules.map((r, i) => normalizeRule(r, ['authorization', service, i], issues));
  return out;
}

function normalizeRule(r: RawRule, at: readonly (string | number)[], issues: IssueList): AuthorizationRule {
  // A rule that states nothing matches every request: as an allow it opens the service, as a deny it closes it; both read as mistakes.
  if (!r.from && !r.principals && !r.methods && !r.paths && !r.when) {
    issues.add(at, 'a rule needs at least one of from, principals, methods, paths or when (to allow every request, remove the service from authorization)');
  }
  return {
    action: r.action ?? 'allow',
    from: r.from,
    principals: r.principals,
    methods: r.methods ? [...new Set(r.methods)] : undefined,
    paths: r.paths,
    claims: r.when ? dataRecord(Object.entries(r.when.claims).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)] as const)) : undefined,
  };
}

export function normalizeAuthentication(raw: RawMesh['authentication'], issues: IssueList): Record<string, AuthenticationConfig> {
  const out = dataRecord<AuthenticationConfig>();
  for (const [service, a] of Object.entries(raw ?? {})) out[service] = { jwt: normalizeProviders(a, ['authentication', service, 'jwt'], issues) };
  return out;
}

function normalizeProviders(a: RawAuthentication, at: readonly (string | number)[], issues: IssueList): JwtProviderConfig[] {
  const seen = new Set<string>();
  return a.jwt.map((p, i) => {
    const here = [...at, i];
    if (seen.has(p.issuer)) issues.add([...here, 'issuer'], `issuer ${JSON.stringify(p.issuer)} is listed twice: a token's iss must pick one provider`);
    seen.add(p.issuer);
    if ((p.jwksUri === undefined) === (p.jwks === undefined)) issues.add(here, 'give exactly one of jwksUri (fetched) and jwks (inline keys)', 'key');
    p.jwks?.keys.forEach((k, j) => {
      const problem = keyProblem(k);
      if (problem) issues.add([...here, 'jwks', 'keys', j], problem);
    });
    return {
      issuer: p.issuer,
      audiences: p.audiences,
      jwksUri: p.jwksUri,
      jwks: p.jwks,
      header: (p.header ?? 'authorization').toLowerCase(),
      timeout: p.timeout === undefined ? DEFAULT_JWKS_TIMEOUT : parseDuration(p.timeout),
    };
  });
}

/** Only public asymmetric keys verify end-user tokens: a shared secret would let anyone who holds it mint them. */
function keyProblem(k: Readonly<Record<string, unknown>>): string | undefined {
  if (k.kty !== 'RSA' && k.kty !== 'EC' && k.kty !== 'OKP') return `kty must be RSA, EC or OKP (public keys), got ${JSON.stringify(k.kty)}`;
  if ('d' in k) return 'a private key: list the public part only';
  return undefined;
}
