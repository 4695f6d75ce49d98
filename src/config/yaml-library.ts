import { createRequire } from 'node:module';
import type { Alias, Document, LineCounter, ParseOptions, DocumentOptions, SchemaOptions, Scalar, YAMLMap, YAMLSeq } from 'yaml';

type Yaml = typeof import('yaml');

let yaml: Yaml | undefined;

/**
 * Loads the YAML library before a file is parsed; createMesh, reloads and `inmesh check` await this.
 * A workload configured with an object never loads it (about 2 MB of RSS).
 */
export async function preloadYaml(): Promise<void> {
  yaml ??= await import('yaml');
}

/**
 * The YAML library: the one preloaded above or, for a synchronous caller that did not preload, loaded
 * here. Its Node entry is CommonJS, so both ways give the same instance.
 */
function library(): Yaml {
  return (yaml ??= createRequire(import.meta.url)('yaml') as Yaml);
}

export function parseDocument(text: string, options: ParseOptions & DocumentOptions & SchemaOptions): Document.Parsed {
  return library().parseDocument(text, options);
}

export function newLineCounter(): LineCounter {
  return new (library().LineCounter)();
}

export function isMap(node: unknown): node is YAMLMap {
  return library().isMap(node);
}

export function isSeq(node: unknown): node is YAMLSeq {
  return library().isSeq(node);
}

export function isScalar(node: unknown): node is Scalar {
  return library().isScalar(node);
}

export function isAlias(node: unknown): node is Alias {
  return library().isAlias(node);
}

/** `Scalar.PLAIN`: an unquoted scalar. */
export const PLAIN_SCALAR = 'PLAIN';
