import { IssueList, type PathIssue, type PathKey } from './key-path.js';

export type EnvRecord = Readonly<Record<string, string | undefined>>;

export type InterpolationResult =
  | { readonly ok: true; readonly value: string; readonly changed: boolean }
  | { readonly ok: false; readonly message: string };

// `$${` is an escaped `${`; `${NAME}` and `${NAME:-default}` are references. Anything else is literal.
const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in one string from `env` (shell semantics: the default
 * applies when VAR is unset or empty). `$${` writes a literal `${`. A reference to an unset variable
 * with no default is an error, reported rather than thrown so that a loader can collect them all.
 *
 * @example
 * interpolate('${HOST:-127.0.0.1}:${PORT}', { PORT: '8081' }) // { ok: true, value: '127.0.0.1:8081', changed: true }
 */
export function interpolate(text: string, env: EnvRecord = process.env): InterpolationResult {
  if (!text.includes('$')) return { ok: true, value: text, changed: false };
  const missing: string[] = [];
  let bad: string | undefined;
  const value = text.replace(TOKEN, (token: string, body: string | undefined) => {
    if (token === '$${') return '${';
    const ref = body === undefined ? undefined : REFERENCE.exec(body);
    if (!ref) {
      bad ??= body === undefined ? `unclosed '\${' in ${JSON.stringify(text)}` : `invalid reference '\${${body}}': use \${NAME} or \${NAME:-default}`;
      return token;
    }
    const [, name, fallback] = ref as unknown as [string, string, string | undefined];
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (fallback !== undefined) return fallback;
    if (set === undefined) missing.push(name);
    return set ?? token;
  });
  if (bad) return { ok: false, message: bad };
  if (missing.length > 0) {
    const names = missing.map((n) => `'${n}'`).join(', ');
    return { ok: false, message: `environment variable ${names} is not set (write \${${missing[0]}:-default} to give a default)` };
  }
  return { ok: true, value, changed: value !== text };
}

/**
 * Interpolates every string value (not key) of a plain tree, returning a copy and the issues found,
 * each at the path of the string it came from.
 *
 * @example
 * interpolateTree({ admin: { host: '${HOST:-127.0.0.1}' } }, {}).value // { admin: { host: '127.0.0.1' } }
 */
export function interpolateTree(root: unknown, env: EnvRecord = process.env): { value: unknown; issues: PathIssue[] } {
  const issues = new IssueList();
  const walk = (node: unknown, path: PathKey[]): unknown => {
    if (typeof node === 'string') {
      const r = interpolate(node, env);
      if (r.ok) return r.value;
      issues.add(path, r.message);
      return node;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(root, []), issues: issues.issues };
}
