import type { Document, Pair } from 'yaml';
import { isMap, isScalar, isSeq } from './yaml-library.js';
import type { PathKey } from './key-path.js';

export interface DuplicateKey {
  readonly path: readonly PathKey[];
  /** Where the repeated key starts. */
  readonly offset: number | undefined;
}

/**
 * Every key that repeats an earlier key of the same map, in one pass with a set per map. The YAML
 * library's own `uniqueKeys` check compares each key with every earlier one (quadratic: a map of
 * 40,000 keys took half a minute), so it is off and this one runs instead. Aliases are not followed:
 * the map they point to is checked where it is written.
 */
export function findDuplicateKeys(doc: Document): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const walk = (node: unknown, path: PathKey[]): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items as Pair[]) {
        const key = keyOf(pair);
        if (key === undefined) continue;
        if (seen.has(key)) found.push({ path: [...path, key], offset: (pair.key as { range?: [number, number, number] } | null)?.range?.[0] });
        else seen.add(key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return found;
}

function keyOf(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return typeof k === 'string' || typeof k === 'number' ? String(k) : undefined;
}
