import { readFileSync, statSync } from 'node:fs';
import type { Document, YAMLError } from 'yaml';
import { ConfigValidationError, type ConfigIssue } from '../core/index.js';
import { interpolateTree, type EnvRecord } from './interpolate.js';
import { displayKeyPath, formatKeyPath, type PathIssue, type PathKey } from './key-path.js';
import { createSnapshot } from './snapshot.js';
import type { ConfigSnapshot } from './types.js';
import { validateMesh } from './validate.js';
import { interpolateDocument } from './yaml-interpolate.js';
import { newLineCounter, parseDocument, preloadYaml } from './yaml-library.js';
import { preloadZod } from './zod-library.js';
import { firstAlias, locateInDocument, locateSyntaxError, pathAtOffset } from './yaml-locate.js';
import { findDuplicateKeys } from './yaml-duplicates.js';
import { boundedMessage, MAX_ALIAS_EXPANSIONS, sizeError } from './load-limits.js';

export interface LoadOptions {
  /** Shown in issues (`file:line:col`) and used as the snapshot's source. */
  readonly file?: string;
  /** Variables for `${VAR}`; default `process.env`. */
  readonly env?: EnvRecord;
  /** The snapshot's version; default 1 (a ConfigStore renumbers as it applies). */
  readonly version?: number;
  /** The snapshot's source when there is no file; default `inline` for text, `object` for objects. */
  readonly source?: string;
  /**
   * The text is the control daemon's mesh-wide configuration: every workload it reaches has
   * `control.url` of its own, so a service may use the registry (`discovery: { control: true }`,
   * or neither endpoints nor discovery) without a `control:` block in this text.
   */
  readonly servedByControl?: boolean;
}

/**
 * Parses mesh.yaml text into a validated, normalised, deep-frozen snapshot. Every problem is collected
 * (YAML syntax, duplicate keys, unset variables, schema, cross-field rules) and thrown together as one
 * ConfigValidationError whose issues carry file, line, column and key path.
 *
 * @example
 * const snap = parseMeshConfig(fs.readFileSync('mesh.yaml', 'utf8'), { file: 'mesh.yaml' });
 * snap.config.services.orders.timeout // 2000
 */
/**
 * Loads what the synchronous loaders need, and only that: zod for every configuration, the YAML
 * library for a file (`source` a path) and not for an object. Await it before loading or reloading.
 */
export async function preloadConfigLibraries(source: string | object): Promise<void> {
  await Promise.all([preloadZod(), typeof source === 'string' ? preloadYaml() : undefined]);
}

export function parseMeshConfig(text: string, opts: LoadOptions = {}): ConfigSnapshot {
  const tooLarge = sizeError(Buffer.byteLength(text, 'utf8'));
  if (tooLarge) throw new ConfigValidationError([{ file: opts.file, path: '', message: tooLarge }]);
  const lineCounter = newLineCounter();
  // Duplicate keys are found by findDuplicateKeys, in linear time (the library's check is quadratic).
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter, prettyErrors: false });
  const located = (offset: number | undefined, path: readonly PathKey[], message: string): ConfigIssue => {
    const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
    return { file: opts.file, line: pos?.line, column: pos?.col, path: displayKeyPath(path), message: boundedMessage(message) };
  };

  const issues: ConfigIssue[] = [];
  let through = -1;
  for (const e of doc.errors) {
    if (e.pos[0] <= through) continue;
    // Only an unterminated quote or bracket is noticed past its own line; other errors sit where they are found.
    const unclosed = e.code === 'MISSING_CHAR' || /end with an? [\]}]/.test(e.message);
    const at = unclosed ? locateSyntaxError(doc, text, e.pos[0]) : { offset: e.pos[0], path: pathAtOffset(doc, e.pos[0]), through: undefined };
    through = at.through ?? through;
    issues.push(located(at.offset, at.path, yamlMessage(e)));
  }
  // A repeated key leaves a usable tree (the last one wins), so keep checking; real syntax errors do not.
  if (doc.errors.length === 0) {
    for (const d of findDuplicateKeys(doc)) issues.push(located(d.offset, d.path, `duplicate key '${String(d.path[d.path.length - 1])}'`));
    const failed = interpolateDocument(doc, opts.env ?? process.env);
    const tree = toPlainTree(doc);
    if ('bomb' in tree) {
      issues.push(located(tree.bomb?.offset, tree.bomb?.path ?? [], `too many alias expansions (more than ${MAX_ALIAS_EXPANSIONS}): write the values out, or use fewer aliases`));
      throw new ConfigValidationError(sortByPosition(issues));
    }
    const result = validateMesh(tree.value, { servedByControl: opts.servedByControl === true });
    const all = [...failed, ...(result.ok ? [] : withoutEchoes(result.issues, failed))];
    for (const i of all) issues.push(located(locateInDocument(doc, i.path, i.at), i.path, i.message));
    if (issues.length === 0 && result.ok) return createSnapshot(result.config, { version: opts.version, source: opts.file ?? opts.source ?? 'inline' });
  }
  throw new ConfigValidationError(sortByPosition(issues));
}

/** The document as JS, or where its aliases blow up (the library throws a bare ReferenceError). */
function toPlainTree(doc: Document): { value: unknown } | { bomb: ReturnType<typeof firstAlias> } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS }) };
  } catch (e) {
    if (e instanceof ReferenceError) return { bomb: firstAlias(doc) };
    throw e;
  }
}

/**
 * Validates a configuration given as a plain object (`createMesh({ config: {...} })`) with the same
 * rules as a file; its issues have key paths but no positions.
 *
 * @example
 * normalizeConfigObject({ services: { orders: { endpoints: ['127.0.0.1:8081'] } } }).config.services.orders
 */
export function normalizeConfigObject(obj: unknown, opts: Omit<LoadOptions, 'file'> = {}): ConfigSnapshot {
  const interpolated = interpolateTree(obj, opts.env ?? process.env);
  const result = validateMesh(interpolated.value);
  const all = [...interpolated.issues, ...(result.ok ? [] : withoutEchoes(result.issues, interpolated.issues))];
  if (all.length > 0 || !result.ok) throw new ConfigValidationError(all.map((i) => ({ path: displayKeyPath(i.path), message: boundedMessage(i.message) })));
  return createSnapshot(result.config, { version: opts.version, source: opts.source ?? 'object' });
}

/**
 * Reads and parses a mesh.yaml file (synchronously: it is small, read at startup and on change).
 * A file that cannot be read is reported like any other problem, as a ConfigValidationError, so
 * callers handle one kind of failure. `opts.file` overrides the name shown in issues.
 *
 * @example
 * const snap = loadMeshConfigFile('mesh.yaml', { env: { PORT: '8081' } });
 */
export function loadMeshConfigFile(path: string, opts: LoadOptions = {}): ConfigSnapshot {
  return parseMeshConfig(readConfigText(path, opts.file ?? path), { ...opts, file: opts.file ?? path });
}

/**
 * The text of a config file, refused unread when it is over MAX_CONFIG_BYTES. A file that cannot be
 * read is a ConfigValidationError like any other problem, so callers handle one kind of failure.
 */
export function readConfigText(path: string, shownAs = path): string {
  try {
    const tooLarge = sizeError(statSync(path).size);
    if (tooLarge) throw new ConfigValidationError([{ file: shownAs, path: '', message: tooLarge }]);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigValidationError) throw e;
    throw new ConfigValidationError([{ file: shownAs, path: '', message: `cannot read the file: ${(e as Error).message}` }]);
  }
}

/** A value whose `${VAR}` failed is still the raw text; the schema's complaint about it would only repeat the cause. */
function withoutEchoes(issues: readonly PathIssue[], failed: readonly PathIssue[]): PathIssue[] {
  const bad = failed.map((f) => formatKeyPath(f.path));
  return issues.filter((i) => {
    const p = formatKeyPath(i.path);
    return !bad.some((b) => p === b || p.startsWith(`${b}.`) || p.startsWith(`${b}[`));
  });
}

function yamlMessage(e: YAMLError): string {
  return `invalid YAML: ${e.message.split('\n')[0]}`;
}

function sortByPosition(issues: ConfigIssue[]): ConfigIssue[] {
  const key = (i: ConfigIssue) => (i.line ?? Infinity) * 1e6 + (i.column ?? 0);
  return issues.map((i, n) => ({ i, n })).sort((a, b) => key(a.i) - key(b.i) || a.n - b.n).map(({ i }) => i);
}
