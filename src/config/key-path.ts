import { clipText } from './clip.js';

/** One step into a config tree: a map key or a list index. */
export type PathKey = string | number;

/**
 * A problem found in the config tree before it has a source position. Load maps `path` back to a
 * YAML node; `at: 'key'` points at the key itself (unknown or badly named keys) rather than its value.
 */
export interface PathIssue {
  readonly path: readonly PathKey[];
  readonly message: string;
  readonly at?: 'key' | 'value';
}

// Keys that would make a dotted path ambiguous (service names may contain dots) are bracket-quoted.
const PLAIN_KEY = /^[A-Za-z0-9_\-/:*$@]+$/;

/**
 * Formats a path as users read it in mesh.yaml: `services.orders.routes[0].backends[1].weight`.
 *
 * @example
 * formatKeyPath(['services', 'orders.shop', 'timeout']) // 'services["orders.shop"].timeout'
 */
export function formatKeyPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (PLAIN_KEY.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** `formatKeyPath` for messages: a very long key (a pasted blob) is cut, so the path stays readable. */
export function displayKeyPath(path: readonly PathKey[]): string {
  return formatKeyPath(path.map((k) => (typeof k === 'string' && k.length > MAX_KEY_CHARS ? clipText(k, MAX_KEY_CHARS) : k)));
}

const MAX_KEY_CHARS = 60;

/** Reads the value at `path` in a plain tree, or undefined when the path leaves it. */
export function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathKey, unknown>)[key];
  }
  return node;
}

/** Collects issues under a path prefix, so checks deep in the tree need not thread full paths. */
export class IssueList {
  readonly issues: PathIssue[] = [];

  add(path: readonly PathKey[], message: string, at: 'key' | 'value' = 'value'): void {
    this.issues.push({ path, message, at });
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }
}
