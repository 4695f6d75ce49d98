import type { Document, Node, Pair } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from './yaml-library.js';
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

/** One node on the way down to an offset: its key path, where it starts and where it ends. */
interface Step {
  readonly path: PathKey[];
  readonly start: number;
  readonly end: number;
  readonly node: unknown;
}

/** The nodes containing `offset`, outermost first. */
function stepsTo(doc: Document, offset: number): Step[] {
  const steps: Step[] = [];
  const path: PathKey[] = [];
  let node: unknown = doc.contents;
  const range = (n: unknown) => (n as { range?: [number, number, number] } | null)?.range;
  const contains = (n: unknown) => {
    const r = range(n);
    return r !== undefined && offset >= r[0] && offset <= r[2];
  };
  const push = (n: unknown) => {
    const r = range(n);
    if (r) steps.push({ path: [...path], start: r[0], end: r[2], node: n });
  };
  for (;;) {
    if (isMap(node)) {
      // A pair spans from its key to the end of its value, including the gap between them.
      const pair = node.items.findLast((p) => {
        const from = start(p.key);
        const to = range(p.value)?.[2] ?? range(p.key)?.[2];
        return from !== undefined && to !== undefined && offset >= from && offset <= to;
      });
      const key = pair && keyText(pair);
      if (!pair || key === undefined) return steps;
      path.push(key);
      push(pair.key);
      if (contains(pair.key)) return steps;
      node = pair.value;
      if (contains(node)) push(node);
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item));
      if (index < 0) return steps;
      path.push(index);
      node = node.items[index];
      push(node);
    } else {
      return steps;
    }
  }
}

/** The key path of the innermost node containing `offset`: where a YAML syntax error sits. */
export function pathAtOffset(doc: Document, offset: number): PathKey[] {
  return stepsTo(doc, offset).at(-1)?.path ?? [];
}

/**
 * Where to report a YAML syntax error found at `offset`. An unclosed quote or bracket is only noticed
 * where the next line starts (or at the end of the file), inside the construct it left open: the
 * error is then reported at that construct, the innermost node that began on an earlier line, and
 * not at the key after the broken line. `through` is where that construct ends: later errors before
 * it are consequences of the same mistake.
 */
export function locateSyntaxError(doc: Document, text: string, offset: number): { offset: number; path: PathKey[]; through?: number } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const atLineStart = /^[ \t]*$/.test(text.slice(lineStart, offset)) && (offset >= text.length || !/\s/.test(text[offset]!));
  const atEnd = text.slice(offset).trim() === '';
  const steps = stepsTo(doc, offset);
  if (atLineStart || atEnd) {
    const open = steps.findLast((s) => s.start < lineStart);
    // Inside a collection that began earlier, the broken construct is the last entry begun before this line.
    const before = open && lastEntryBefore(open.node, lineStart);
    if (open && before) return { offset: before.start, path: [...open.path, before.key], through: open.end };
    if (open) return { offset: open.start, path: open.path, through: open.end };
  }
  return { offset, path: steps.at(-1)?.path ?? [] };
}

function lastEntryBefore(node: unknown, lineStart: number): { key: PathKey; start: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.findLast((p) => (start(p.key) ?? Infinity) < lineStart);
    const key = pair && keyText(pair);
    return pair && key !== undefined ? { key, start: start(pair.key)! } : undefined;
  }
  if (isSeq(node)) {
    const index = node.items.findLastIndex((item) => (start(item) ?? Infinity) < lineStart);
    return index < 0 ? undefined : { key: index, start: start(node.items[index])! };
  }
  return undefined;
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
