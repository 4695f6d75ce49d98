import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { PathKey } from './key-path.js';

type YamlNode = Node | null | undefined;

function deref(doc: Document, node: unknown): YamlNode {
  return isAlias(node) ? (node.resolve(doc) as YamlNode) : (node as YamlNode);
}

function keyText(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return typeof k === 'string' || typeof k === 'number' ? String(k) : undefined;
}

function start(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

/**
 * The source offset of the node at `path`: the key itself for `at: 'key'` (unknown keys), else the
 * value. When the path leaves the document (a missing key), the deepest node reached stands in, so
 * "'address' is required" points at the map that lacks it. A repeated key resolves to its last
 * occurrence, the one `toJS()` keeps.
 */
export function locateInDocument(doc: Document, path: readonly PathKey[], at: 'key' | 'value' = 'value'): number | undefined {
  let node = deref(doc, doc.contents);
  let best = start(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.findLast((p) => keyText(p) === String(key));
      if (!pair) return best;
      const value = deref(doc, pair.value);
      const keyAt = start(pair.key);
      // `key:` with nothing after it has a null value that starts where the line ends: point at the key.
      if ((last && at === 'key') || value === null || value === undefined || (isScalar(value) && value.value === null)) return keyAt ?? best;
      node = value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = deref(doc, node.items[key]);
      if (!item) return best;
      node = item;
    } else {
      return best;
    }
    best = start(node) ?? best;
  }
  return best;
}

/** The key path of the innermost node containing `offset`: where a YAML syntax error sits. */
export function pathAtOffset(doc: Document, offset: number): PathKey[] {
  const path: PathKey[] = [];
  let node: unknown = doc.contents;
  const contains = (n: unknown) => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    return r !== undefined && offset >= r[0] && offset <= r[2];
  };
  for (;;) {
    if (isMap(node)) {
      // A pair spans from its key to the end of its value, including the gap between them.
      const pair = node.items.findLast((p) => {
        const from = start(p.key);
        const to = (p.value as { range?: [number, number, number] } | null)?.range?.[2] ?? (p.key as { range?: [number, number, number] } | null)?.range?.[2];
        return from !== undefined && to !== undefined && offset >= from && offset <= to;
      });
      const key = pair && keyText(pair);
      if (!pair || key === undefined) return path;
      path.push(key);
      if (contains(pair.key)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item));
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else {
      return path;
    }
  }
}

/** The first alias (`*name`) in document order, with its key path: where an alias bomb is reported. */
export function firstAlias(doc: Document): { path: PathKey[]; offset: number | undefined } | undefined {
  const walk = (node: unknown, path: PathKey[]): { path: PathKey[]; offset: number | undefined } | undefined => {
    if (isAlias(node)) return { path, offset: start(node) };
    if (isMap(node)) {
      for (const pair of node.items) {
        const hit = walk(pair.value, [...path, keyText(pair) ?? '?']);
        if (hit) return hit;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const hit = walk(node.items[i], [...path, i]);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}
