import { IssueList, type PathIssue, type PathKey } from './key-path.js';

export type EnvRecord = Readonly<Record<string, string | undefined>>;

export type InterpolationResult =
  | { readonly ok: true; readonly value: string; readonly changed: boolean }
  | { readonly ok: false; readonly message: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in one string from `env` (shell semantics: the default
 * applies when VAR is unset or empty; a default may itself hold references, `${A:-${B}}`). `$${`
 * writes a literal `${`. A reference to an unset variable with no default is an error, reported
 * rather than thrown so that a loader can collect them all.
 *
 * @example
 * interpolate('${HOST:-127.0.0.1}:${PORT}', { PORT: '8081' }) // { ok: true, value: '127.0.0.1:8081', changed: true }
 */
export function interpolate(text: string, env: EnvRecord = process.env): InterpolationResult {
  if (!text.includes('$')) return { ok: true, value: text, changed: false };
  const missing: string[] = [];
  let bad: string | undefined;
  // Expands text[from..) up to an unmatched `}` (when nested) or the end; returns the value and where it stopped.
  const expand = (from: number, nested: boolean): [string, number] => {
    let out = '';
    let i = from;
    while (i < text.length) {
      if (nested && text[i] === '}') return [out, i];
      if (text.startsWith('$${', i)) {
        out += '${';
        i += 3;
      } else if (text.startsWith('${', i)) {
        const colon = text.indexOf(':-', i + 2);
        const close = text.indexOf('}', i + 2);
        if (close < 0) {
          bad ??= `unclosed '\${' in ${JSON.stringify(text)}`;
          return [out + text.slice(i), text.length];
        }
        const hasDefault = colon >= 0 && colon < close;
        const name = text.slice(i + 2, hasDefault ? colon : close);
        if (!NAME.test(name)) {
          bad ??= `invalid reference '\${${text.slice(i + 2, close)}}': use \${NAME} or \${NAME:-default}`;
          return [out + text.slice(i), text.length];
        }
        const set = env[name];
        if (hasDefault) {
          const [fallback, end] = expandDefault(colon + 2, set !== undefined && set !== '');
          if (end >= text.length) {
            bad ??= `unclosed '\${' in ${JSON.stringify(text)}`;
            return [out, text.length];
          }
          out += set !== undefined && set !== '' ? set : fallback;
          i = end + 1;
        } else {
          if (set === undefined) missing.push(name);
          out += set ?? '';
          i = close + 1;
        }
      } else {
        out += text[i];
        i++;
      }
    }
    return [out, i];
  };
  // A default not taken is still parsed (to find its end) but its unset variables are not errors.
  const expandDefault = (from: number, skipped: boolean): [string, number] => {
    const before = missing.length;
    const r = expand(from, true);
    if (skipped) missing.length = before;
    return r;
  };
  const [value] = expand(0, false);
  if (bad) return { ok: false, message: bad };
  if (missing.length > 0) {
    const names = [...new Set(missing)].map((n) => `'${n}'`).join(', ');
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
    if (node !== null && typeof node === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(node) as object | null)) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(root, []), issues: issues.issues };
}
