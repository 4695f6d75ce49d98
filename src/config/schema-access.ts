import type { SchemaParts } from './schema-parts.js';
import type { Zod } from './zod-library.js';

/**
 * A SPIFFE ID a rule names: exact, a trailing `/*` for every ID under a path
 * (`spiffe://shop.local/svc/*`), or `*` for any authenticated peer.
 */
const PEER_PATTERN = /^(\*|spiffe:\/\/[a-z0-9._-]+(\/[A-Za-z0-9._~!$&'()+,;=:@%-]+)*(\/\*)?)$/;

/**
 * A path a rule names: `*` (any path), or `/…` where a trailing `*` matches any rest (slashes
 * included: `/api/*`) and any other `*` matches within one segment (a `*` between `/orders/` and
 * `/items` matches one order). No query,
 * no `.`/`..` or empty segments: requests carrying those are refused before rules are read.
 */
const PATH_PATTERN = /^(\*|\/|(\/(?!\.\.?(\/|$))[^/?#\s]+)+\/?)$/;

/** A request principal, `<iss>/<sub>` of a verified JWT: exact, a trailing `*` for a prefix, or `*` for any token. */
const PRINCIPAL_PATTERN = /^(\*|[^*\s]+\*?)$/;

/** The `authorization` and `authentication` blocks of mesh.yaml (Istio's AuthorizationPolicy and RequestAuthentication). */
export function buildAccessSchemas(z: Zod, parts: SchemaParts) {
  const { headerName, httpMethod, httpUrl, shortPositiveDuration } = parts;

  const peer = z.string().regex(PEER_PATTERN, {
    error: (iss) => `invalid peer ${JSON.stringify(iss.input)}: expected a SPIFFE ID (spiffe://<trust-domain>/<path>), one ending in /* for a prefix, or '*'`,
  });
  const path = z.string().regex(PATH_PATTERN, {
    error: (iss) => `invalid path ${JSON.stringify(iss.input)}: must start with '/' and have no query, '//', '.' or '..' segment ('*' within a segment, a trailing '*' for any rest)`,
  });
  const principal = z.string().regex(PRINCIPAL_PATTERN, {
    error: (iss) => `invalid principal ${JSON.stringify(iss.input)}: expected <issuer>/<subject>, a prefix ending in '*', or '*'`,
  });
  const claimValue = z.union([z.string(), z.number(), z.boolean()]);

  const authorizationRuleSchema = z
    .strictObject({
      action: z.enum(['allow', 'deny']).optional().describe('allow (the default) or deny; a matching deny wins over any allow.'),
      from: z.array(peer).min(1, { error: 'list at least one peer (spiffe://… or *)' }).optional().describe('Peer SPIFFE IDs (mTLS); a plaintext caller matches none, not even *.'),
      principals: z
        .array(principal)
        .min(1, { error: 'list at least one principal (<issuer>/<subject> or *)' })
        .optional()
        .describe("Request principals, '<iss>/<sub>' of the caller's verified JWT; '*' = any valid token."),
      methods: z.array(httpMethod).min(1).optional(),
      paths: z
        .array(path)
        .min(1)
        .optional()
        .describe("Request paths without the query: exact, '*' within a segment, a trailing '*' for any rest. A deny rule's paths also match in any case and with a trailing '/'."),
      when: z
        .strictObject({
          claims: z
            .record(z.string().min(1), z.union([claimValue, z.array(claimValue).min(1)]))
            .describe('Claim name → a value or values; a string claim must equal one, a list claim must contain one.'),
        })
        .optional()
        .describe("Conditions on the caller's verified JWT."),
    })
    .describe('A rule matches when every condition it states matches (from, principals, methods, paths, when); a condition left out matches any request.');

  const jwtProviderSchema = z.strictObject({
    issuer: z.string().min(1).describe('The `iss` tokens of this provider carry.'),
    audiences: z.array(z.string().min(1)).min(1).optional().describe('Accepted `aud` values; a token must name one. Absent: the audience is not checked.'),
    jwksUri: httpUrl.optional().describe("Where the issuer's public keys are (fetched, cached, refreshed on an unknown kid at most every 30s)."),
    jwks: z
      .strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1) })
      .optional()
      .describe("The issuer's public keys inline, as a JWK Set; instead of jwksUri."),
    header: headerName.optional().describe('The header carrying the token: authorization (the default, as `Bearer <token>`) or another header holding the bare token.'),
    timeout: shortPositiveDuration.optional().describe('How long fetching the JWKS may take before the request is refused. Default 5s.'),
  });

  const authenticationSchema = z.strictObject({
    jwt: z.array(jwtProviderSchema).min(1, { error: 'list at least one JWT issuer' }).describe("Trusted JWT issuers; a token's `iss` picks its provider."),
  });

  return { authorizationRuleSchema, authenticationSchema };
}
