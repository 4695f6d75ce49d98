import type { IssueList, PathKey } from './key-path.js';
import { routeRegexError } from './route-regex.js';
import { dataRecord } from './data-record.js';
import type { RawRouteMatch, RawStringMatch } from './schema-route.js';
import type { RouteMatch, StringMatch } from './types.js';

const MATCH_KINDS = ['exact', 'prefix', 'regex', 'present'] as const;

/**
 * A mesh.yaml string match → StringMatch. A plain string is `exact`, except that for paths a
 * trailing `*` makes it a prefix (`/api/*`), as authorization paths read. Objects name exactly one kind.
 */
export function normalizeStringMatch(raw: RawStringMatch, isPath: boolean, issues: IssueList, path: readonly PathKey[]): StringMatch | undefined {
  if (typeof raw === 'string') {
    if (isPath && raw.endsWith('*')) return { prefix: raw.slice(0, -1) };
    return { exact: raw };
  }
  const given = MATCH_KINDS.filter((k) => (raw as Record<string, unknown>)[k] !== undefined);
  if (given.length !== 1) {
    const kinds = isPath ? 'exact, prefix or regex' : 'exact, prefix, regex or present';
    issues.add(path, given.length === 0 ? `give one of ${kinds}` : `give only one of ${given.join(', ')}`);
    return undefined;
  }
  const kind = given[0]!;
  if (kind === 'regex') {
    const error = routeRegexError(raw.regex!);
    if (error) issues.add([...path, 'regex'], error);
  }
  return { [kind]: (raw as Record<string, unknown>)[kind] } as StringMatch;
}

export function normalizeRouteMatch(raw: RawRouteMatch | undefined, issues: IssueList, path: readonly PathKey[]): RouteMatch {
  if (!raw) return { path: undefined, methods: undefined, headers: {} };
  if (raw.method !== undefined && raw.methods !== undefined) issues.add([...path, 'method'], 'give method or methods, not both', 'key');
  const methods = raw.methods ?? (raw.method ? [raw.method] : undefined);
  const headers = dataRecord<StringMatch>();
  for (const [name, value] of Object.entries(raw.headers ?? {})) {
    const lower = name.toLowerCase();
    if (Object.hasOwn(headers, lower)) issues.add([...path, 'headers', name], `header '${lower}' is matched twice (names are case-insensitive)`, 'key');
    const m = normalizeStringMatch(value, false, issues, [...path, 'headers', name]);
    if (m) headers[lower] = m;
  }
  return {
    path: raw.path === undefined ? undefined : normalizeStringMatch(raw.path, true, issues, [...path, 'path']),
    methods: methods ? [...new Set(methods)] : undefined,
    headers,
  };
}
