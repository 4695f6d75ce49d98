import type { AuthorizationRule } from '../config/types.js';

/** Why a request was refused; the `reason` label of `inmesh_authz_denied_total`. */
export type DenyReason = 'deny-rule' | 'no-rule' | 'no-identity';

/** The verified claims of the caller's JWT, when it sent a valid one. */
export type Claims = Readonly<Record<string, unknown>>;

/**
 * The authorization rules of one served service, compiled once per config snapshot (Istio
 * AuthorizationPolicy): a deny rule that matches refuses; otherwise an allow rule that matches
 * admits; otherwise the request is refused, since the service has rules (an empty list denies
 * everything). A rule matches when each condition it states matches:
 *
 * - `from`: the peer's SPIFFE ID, exact, under a `…/*` prefix, or `*` for any; a plaintext caller
 *   (no peer) matches no `from`, not even `*`;
 * - `principals`: `<iss>/<sub>` of the caller's verified JWT, exact, a prefix ending in `*`, or `*`;
 * - `methods`; `paths` (see `compilePaths`); `claims` of the verified JWT.
 *
 * `decide` takes the path from `requestPath` and allocates nothing: sets, prefix lists and one
 * regular expression per rule were built here.
 *
 * @example
 * const policy = compileAuthorizationPolicy(config.authorization.orders);
 * policy.decide('spiffe://shop.local/svc/checkout', undefined, undefined, 'GET', '/api/orders') // undefined: allowed
 */
export function compileAuthorizationPolicy(rules: readonly AuthorizationRule[]): AuthorizationPolicy {
  return new AuthorizationPolicy(rules.map(compileRule));
}

export class AuthorizationPolicy {
  readonly #deny: readonly CompiledRule[];
  readonly #allow: readonly CompiledRule[];

  constructor(rules: readonly CompiledRule[]) {
    this.#deny = rules.filter((r) => r.deny);
    this.#allow = rules.filter((r) => !r.deny);
  }

  /** undefined when the request is allowed, else why not. `principal` is `<iss>/<sub>` of a verified JWT. */
  decide(peer: string | undefined, principal: string | undefined, claims: Claims | undefined, method: string, path: string): DenyReason | undefined {
    for (const r of this.#deny) if (r.matches(peer, principal, claims, method, path)) return 'deny-rule';
    for (const r of this.#allow) if (r.matches(peer, principal, claims, method, path)) return undefined;
    return peer === undefined && principal === undefined ? 'no-identity' : 'no-rule';
  }
}

interface CompiledRule {
  readonly deny: boolean;
  matches(peer: string | undefined, principal: string | undefined, claims: Claims | undefined, method: string, path: string): boolean;
}

function compileRule(rule: AuthorizationRule): CompiledRule {
  const from = rule.from && compileNames(rule.from);
  const principals = rule.principals && compileNames(rule.principals);
  const methods = rule.methods && new Set(rule.methods);
  const paths = rule.paths && compilePaths(rule.paths, { asRoutersDo: rule.action === 'deny' });
  const claims = rule.claims && Object.entries(rule.claims).map(([name, values]) => [name, new Set(values)] as const);
  return {
    deny: rule.action === 'deny',
    matches(peer, principal, verified, method, path) {
      if (from && (peer === undefined || !from.has(peer))) return false;
      if (principals && (principal === undefined || !principals.has(principal))) return false;
      if (methods && !methods.has(method)) return false;
      if (paths && !paths.test(path)) return false;
      if (claims && (verified === undefined || !claims.every(([name, values]) => claimMatches(verified[name], values)))) return false;
      return true;
    },
  };
}

/** A string claim equals one of the values; a list claim (groups, roles) contains one; numbers and booleans compare as text. */
function claimMatches(claim: unknown, values: ReadonlySet<string>): boolean {
  if (typeof claim === 'string') return values.has(claim);
  if (typeof claim === 'number' || typeof claim === 'boolean') return values.has(String(claim));
  if (Array.isArray(claim)) return claim.some((c) => (typeof c === 'string' ? values.has(c) : (typeof c === 'number' || typeof c === 'boolean') && values.has(String(c))));
  return false;
}

/** Names matched exactly, by a prefix (written with a trailing `*`), or all of them (`*`). */
interface NameSet {
  has(name: string): boolean;
}

function compileNames(names: readonly string[]): NameSet {
  if (names.includes('*')) return { has: () => true };
  const exact = new Set(names.filter((n) => !n.endsWith('*')));
  const prefixes = names.filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1));
  if (prefixes.length === 0) return exact;
  return {
    has(name) {
      if (exact.has(name)) return true;
      for (const p of prefixes) if (name.startsWith(p)) return true;
      return false;
    },
  };
}

/**
 * One regular expression for a rule's paths. A path pattern is `*` (any path), or starts with `/`
 * and matches the whole path, where a `*` at the very end matches any rest, slashes included
 * (`/api/*` matches `/api/` and `/api/a/b`, not `/api`; `/api*` matches `/api` and `/apis`), and
 * any other `*` matches any run of characters within one segment, never a `/`
 * (`/orders/` `*` `/items` matches `/orders/42/items`, not `/orders/4/2/items`). The expression
 * ends at the query, so it runs on the request target as it came.
 *
 * `asRoutersDo` (deny rules) also matches the path in any letter case and with one trailing `/`:
 * Express, by default, routes `/ADMIN/` to its `/admin` handler, and a deny rule must hold
 * wherever the application's router would take the request. Allow rules stay exact, so a
 * respelling is never let in.
 */
export function compilePaths(patterns: readonly string[], o: { readonly asRoutersDo?: boolean } = {}): RegExp {
  if (patterns.includes('*')) return /^/;
  const alternatives = patterns.map((p) => {
    const rest = p.endsWith('*');
    const body = (rest ? p.slice(0, -1) : p)
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/?#]*');
    return rest ? `${body}[^?#]*` : body;
  });
  if (o.asRoutersDo) return new RegExp(`^(?:${alternatives.join('|')})/?(?:[?#]|$)`, 'i');
  return new RegExp(`^(?:${alternatives.join('|')})(?:[?#]|$)`);
}
