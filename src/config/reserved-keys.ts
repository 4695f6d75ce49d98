import type { PathIssue, PathKey } from './key-path.js';

export const RESERVED_KEY_MESSAGE = "'__proto__' cannot be a key here: JavaScript objects reserve it";

/**
 * Finds every `__proto__` key of a parsed tree and returns the tree without them, each reported by
 * name. Left in, such a key is dropped silently by every copy (`{ ...o }`, zod records), so a route
 * whose only header condition is `__proto__` would match every request. The tree is copied only
 * when it has one.
 */
export function withoutReservedKeys(root: unknown): { value: unknown; issues: PathIssue[] } {
  const issues: PathIssue[] = [];
  const find = (node: unknown, path: PathKey[]): void => {
    if (Array.isArray(node)) node.forEach((item, i) => find(item, [...path, i]));
    else if (isTree(node)) {
      if (Object.hasOwn(node, '__proto__')) issues.push({ path: [...path, '__proto__'], message: RESERVED_KEY_MESSAGE, at: 'key' });
      for (const [k, v] of Object.entries(node)) if (k !== '__proto__') find(v, [...path, k]);
    }
  };
  find(root, []);
  return { value: issues.length === 0 ? root : strip(root), issues };
}

function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (!isTree(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== '__proto__') out[k] = strip(v);
  return out;
}

function isTree(node: unknown): node is Record<string, unknown> {
  if (node === null || typeof node !== 'object') return false;
  const proto = Object.getPrototypeOf(node) as unknown;
  return proto === Object.prototype || proto === null;
}
