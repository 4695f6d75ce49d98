import type { Document } from 'yaml';
import { isMap, isScalar, isSeq, PLAIN_SCALAR } from './yaml-library.js';
import { interpolate, type EnvRecord } from './interpolate.js';
import type { PathIssue, PathKey } from './key-path.js';

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Interpolates `${VAR}` in every string value (not key) of a parsed document, in place, before it is
 * turned into JS: anchors are interpolated once, and errors point at the scalar they came from.
 * A plain (unquoted) scalar that becomes a number or true/false takes that type, as if it had been
 * written out, so `port: ${PORT:-8080}` is a number; quote it to keep a string. In flow collections
 * (`{ port: ${PORT} }`) YAML needs the reference quoted: `{ port: "${PORT}" }` stays a string.
 */
export function interpolateDocument(doc: Document, env: EnvRecord): PathIssue[] {
  const issues: PathIssue[] = [];
  const walk = (node: unknown, path: PathKey[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string') {
      const r = interpolate(node.value, env);
      if (!r.ok) issues.push({ path, message: r.message });
      else if (r.changed) node.value = node.type === PLAIN_SCALAR ? retype(r.value) : r.value;
    }
  };
  walk(doc.contents, []);
  return issues;
}

function retype(text: string): string | number | boolean {
  if (NUMBER.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}
