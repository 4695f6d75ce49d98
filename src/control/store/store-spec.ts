import { MeshError } from '../../index.js';
import type { Clock, Logger } from '../../experimental.js';
import type { ControlStore } from './control-store.js';
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import type { SecretBox } from './secret-box.js';

export const DEFAULT_STORE_DIR = '.inmesh/control';
export const DEFAULT_ETCD_PREFIX = '/inmesh/';

/**
 * The etcd store ships as its own module, loaded only when a daemon is started on etcd (it
 * brings the etcd3 client). A constant rather than a literal keeps the import out of the
 * static module graph.
 */
export const ETCD_STORE_MODULE = './etcd-store.js';

export type StoreSpec =
  | { readonly kind: 'memory' }
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'etcd'; readonly endpoints: readonly string[]; readonly prefix: string };

function badSpec(spec: string, why: string): MeshError {
  return new MeshError('MESH_ERR_CONFIG_INVALID', `invalid store ${JSON.stringify(spec)}: ${why}; expected memory, file:DIR or etcd:URL[,URL...]`);
}

/**
 * Reads `--store`: `memory`, `file` or `file:DIR` (default DIR `.inmesh/control`), or
 * `etcd:URL,...` (http(s) URLs of etcd members; `?prefix=/p/` after the last one sets the key prefix).
 *
 * @example
 * parseStoreSpec('etcd:http://127.0.0.1:2379,http://127.0.0.1:22379'); // { kind: 'etcd', endpoints: [...], prefix: '/inmesh/' }
 */
export function parseStoreSpec(spec: string | undefined): StoreSpec {
  if (spec === undefined || spec === 'file') return { kind: 'file', dir: DEFAULT_STORE_DIR };
  if (spec === 'memory') return { kind: 'memory' };
  if (spec.startsWith('file:')) {
    const dir = spec.slice('file:'.length);
    if (dir === '') throw badSpec(spec, 'file: needs a directory');
    return { kind: 'file', dir };
  }
  if (spec.startsWith('etcd:')) {
    let rest = spec.slice('etcd:'.length);
    let prefix = DEFAULT_ETCD_PREFIX;
    const q = rest.indexOf('?prefix=');
    if (q >= 0) {
      prefix = rest.slice(q + '?prefix='.length);
      rest = rest.slice(0, q);
      if (prefix === '') throw badSpec(spec, 'the prefix is empty');
    }
    const endpoints = rest.split(',').map((e) => e.trim());
    if (endpoints.length === 0 || endpoints.some((e) => e === '')) throw badSpec(spec, 'etcd: needs one or more URLs separated by commas');
    for (const e of endpoints) {
      let url: URL;
      try {
        url = new URL(e);
      } catch {
        throw badSpec(spec, `${JSON.stringify(e)} is not a URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badSpec(spec, `${JSON.stringify(e)} is not an http:// or https:// URL`);
    }
    return { kind: 'etcd', endpoints, prefix };
  }
  throw badSpec(spec, 'unknown kind');
}

export interface OpenStoreOptions {
  readonly box: SecretBox | undefined;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly now?: () => number;
}

type EtcdStoreModule = { openEtcdStore(o: { endpoints: readonly string[]; prefix: string; box: SecretBox | undefined; log: Logger }): ControlStore | Promise<ControlStore> };

/** Makes the store a spec names (not opened yet: the daemon calls `open()`). */
export async function createStore(spec: StoreSpec, o: OpenStoreOptions): Promise<ControlStore> {
  switch (spec.kind) {
    case 'memory':
      return new MemoryStore({ clock: o.clock, now: o.now });
    case 'file':
      return new FileStore({ dir: spec.dir, box: o.box, clock: o.clock, now: o.now });
    case 'etcd': {
      let mod: EtcdStoreModule;
      try {
        mod = (await import(ETCD_STORE_MODULE)) as EtcdStoreModule;
      } catch (e) {
        throw new MeshError('MESH_ERR_CONFIG_INVALID', `the etcd store cannot be loaded (${ETCD_STORE_MODULE}): ${(e as Error).message}`, { cause: e });
      }
      if (typeof mod.openEtcdStore !== 'function') throw new MeshError('MESH_ERR_CONFIG_INVALID', `the etcd store module ${ETCD_STORE_MODULE} has no openEtcdStore`);
      return mod.openEtcdStore({ endpoints: spec.endpoints, prefix: spec.prefix, box: o.box, log: o.log });
    }
  }
}
