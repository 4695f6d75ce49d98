import { MeshError } from '../core/index.js';

/** The SPIFFE ID spec's limits: a URI of at most 2048 bytes, a trust domain of at most 255. */
export const MAX_SPIFFE_ID_BYTES = 2048;
export const MAX_TRUST_DOMAIN_LENGTH = 255;

const SCHEME = 'spiffe://';
const TRUST_DOMAIN_CHAR = /^[a-z0-9._-]$/;
const PATH_SEGMENT = /^[a-zA-Z0-9._-]+$/;

/** Builds a SpiffeId from parts already checked; module-private, so no caller can skip the checks. */
let checkedSpiffeId: (trustDomain: string, path: string) => SpiffeId;

/**
 * A workload identity, `spiffe://<trustDomain><path>`, checked against the SPIFFE ID spec.
 * Made only by `parseSpiffeId` and its siblings, so holding one means it is valid.
 *
 * @example
 * const id = parseSpiffeId('spiffe://shop.local/svc/orders');
 * id.trustDomain; // 'shop.local'
 * id.path;        // '/svc/orders'
 * `${id}`;        // 'spiffe://shop.local/svc/orders'
 */
export class SpiffeId {
  readonly trustDomain: string;
  /** '' for the trust domain's own ID, else '/segment/…' with no trailing slash. */
  readonly path: string;

  static {
    checkedSpiffeId = (trustDomain, path) => new SpiffeId(trustDomain, path);
  }

  /** Use `parseSpiffeId`: the constructor trusts its arguments. */
  private constructor(trustDomain: string, path: string) {
    this.trustDomain = trustDomain;
    this.path = path;
    Object.freeze(this);
  }

  /** True when this ID names a workload of `trustDomain`. */
  isMemberOf(trustDomain: string): boolean {
    return this.trustDomain === trustDomain;
  }

  toString(): string {
    return `${SCHEME}${this.trustDomain}${this.path}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function invalid(input: unknown, reason: string): MeshError {
  const shown = typeof input === 'string' ? JSON.stringify(input.length > 120 ? `${input.slice(0, 120)}…` : input) : String(input);
  return new MeshError('MESH_ERR_IDENTITY', `invalid SPIFFE ID ${shown}: ${reason}`);
}

/** Why `td` is not a trust domain name, or undefined when it is one. */
export function trustDomainProblem(td: string): string | undefined {
  if (td.length === 0) return 'the trust domain is empty';
  if (td.length > MAX_TRUST_DOMAIN_LENGTH) return `the trust domain is longer than ${MAX_TRUST_DOMAIN_LENGTH} characters`;
  if (td.includes('@')) return 'userinfo (user@) is not allowed';
  if (td.includes(':')) return 'a port is not allowed';
  for (const ch of td) {
    if (!TRUST_DOMAIN_CHAR.test(ch)) return `the trust domain may contain only a-z, 0-9, ".", "-" and "_", found ${JSON.stringify(ch)}`;
  }
  return undefined;
}

/** Why `segment` cannot be one path segment, or undefined when it can. */
function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'the path has an empty segment ("//")';
  if (segment === '.' || segment === '..') return `the path may not have a "${segment}" segment`;
  if (!PATH_SEGMENT.test(segment)) {
    const bad = [...segment].find((ch) => !PATH_SEGMENT.test(ch));
    return `path segments may contain only a-z, A-Z, 0-9, ".", "-" and "_", found ${JSON.stringify(bad)}`;
  }
  return undefined;
}

/**
 * Parses a SPIFFE ID strictly: lowercase `spiffe` scheme, a trust domain of [a-z0-9._-], no
 * userinfo, port, query, fragment or percent-encoding, path segments of [a-zA-Z0-9._-] with
 * no empty, `.` or `..` segment and no trailing slash, 2048 bytes at most.
 * Throws a MeshError (`MESH_ERR_IDENTITY`) whose message names the broken rule.
 *
 * @example
 * parseSpiffeId('spiffe://shop.local/svc/orders').trustDomain; // 'shop.local'
 * parseSpiffeId('spiffe://shop.local/svc/'); // throws: a trailing slash is not allowed
 */
export function parseSpiffeId(input: string): SpiffeId {
  if (typeof input !== 'string') throw invalid(input, 'not a string');
  if (Buffer.byteLength(input, 'utf8') > MAX_SPIFFE_ID_BYTES) throw invalid(input, `longer than ${MAX_SPIFFE_ID_BYTES} bytes`);
  if (!input.startsWith(SCHEME)) {
    throw invalid(input, input.toLowerCase().startsWith(SCHEME) ? 'the scheme must be lowercase "spiffe"' : 'it must start with "spiffe://"');
  }
  const rest = input.slice(SCHEME.length);
  if (rest.includes('?')) throw invalid(input, 'a query is not allowed');
  if (rest.includes('#')) throw invalid(input, 'a fragment is not allowed');
  if (rest.includes('%')) throw invalid(input, 'percent-encoding is not allowed');
  const slash = rest.indexOf('/');
  const trustDomain = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  const tdProblem = trustDomainProblem(trustDomain);
  if (tdProblem) throw invalid(input, tdProblem);
  if (path !== '') {
    if (path.endsWith('/')) throw invalid(input, 'a trailing slash is not allowed');
    for (const segment of path.slice(1).split('/')) {
      const problem = segmentProblem(segment);
      if (problem) throw invalid(input, problem);
    }
  }
  return checkedSpiffeId(trustDomain, path);
}

/** `parseSpiffeId` that answers undefined instead of throwing. */
export function trySpiffeId(input: string): SpiffeId | undefined {
  try {
    return parseSpiffeId(input);
  } catch {
    return undefined;
  }
}

/** Checks a trust domain name on its own (as written in mesh.yaml's `trustDomain`). */
export function parseTrustDomain(td: string): string {
  const problem = trustDomainProblem(td);
  if (problem) throw new MeshError('MESH_ERR_IDENTITY', `invalid trust domain ${JSON.stringify(td)}: ${problem}`);
  return td;
}

/**
 * The identity of a mesh service: `spiffe://<trustDomain>/svc/<service>`.
 *
 * @example
 * serviceSpiffeId('shop.local', 'orders').toString(); // 'spiffe://shop.local/svc/orders'
 */
export function serviceSpiffeId(trustDomain: string, service: string): SpiffeId {
  parseTrustDomain(trustDomain);
  const problem = segmentProblem(service);
  if (problem) throw new MeshError('MESH_ERR_IDENTITY', `service name ${JSON.stringify(service)} cannot be a SPIFFE path segment: ${problem}`);
  return parseSpiffeId(`${SCHEME}${trustDomain}/svc/${service}`);
}
