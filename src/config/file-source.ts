import { watch, readFileSync, statSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigValidationError, type Logger } from '../core/index.js';
import type { ConfigStore } from './config-store.js';
import type { ConfigSnapshot } from './types.js';
import type { EnvRecord } from './interpolate.js';
import { parseMeshConfig } from './load.js';
import { sizeError } from './load-limits.js';

export interface WatchConfigOptions {
  /** Variables for `${VAR}`; default `process.env`. */
  readonly env?: EnvRecord;
  /** Quiet time after the last change before reloading; editors write in several steps. Default 25 ms. */
  readonly debounceMs?: number;
  readonly log?: Logger;
  /** What the file gives, made into what is put in force (the control daemon's configuration merged over it). */
  readonly transform?: (snapshot: ConfigSnapshot) => ConfigSnapshot;
}

export interface ConfigWatcher {
  /** Stops watching; a reload already under way is dropped. Idempotent. */
  close(): void;
}

/**
 * Reloads `path` into `store` whenever it changes. It watches the directory rather than the file, so
 * editors that save by writing a new file and renaming it over the old one (vim, most IDEs) and
 * Kubernetes ConfigMap volumes (which swap a `..data` symlink) keep being followed. A valid edit
 * applies a new snapshot; an invalid one is rejected whole (see ConfigStore.tryApply) and the last
 * good config stays in force; an edit that changes nothing (comments, a touch) applies nothing.
 *
 * @example
 * const store = new ConfigStore(loadMeshConfigFile('mesh.yaml'));
 * const watcher = watchConfigFile('mesh.yaml', store);
 * // later
 * watcher.close();
 */
export function watchConfigFile(path: string, store: ConfigStore, opts: WatchConfigOptions = {}): ConfigWatcher {
  const file = resolve(path);
  const name = basename(file);
  const debounceMs = opts.debounceMs ?? 25;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let lastText: string | undefined;

  const reload = (): void => {
    timer = undefined;
    if (closed) return;
    let text: string;
    try {
      const tooLarge = sizeError(statSync(file).size);
      if (tooLarge) {
        lastText = undefined;
        const r = store.tryApply(() => {
          throw new ConfigValidationError([{ file: path, path: '', message: tooLarge }]);
        });
        if (!r.ok) opts.log?.error('mesh configuration rejected; the last good one stays in force', { file, error: r.error.message });
        return;
      }
      text = readFileSync(file, 'utf8');
    } catch (e) {
      // Mid rename-replace the file may be briefly absent; its reappearance is another event.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') opts.log?.warn('cannot read the mesh configuration', { file, error: (e as Error).message });
      return;
    }
    if (text === lastText) return;
    lastText = text;
    const parse = () => parseMeshConfig(text, { file: path, env: opts.env, version: store.current().version + 1 });
    const transform = opts.transform;
    const r = store.tryApply(transform ? () => transform(parse()) : parse, { ifChanged: true });
    if (r.ok && r.changed) opts.log?.info('mesh configuration reloaded', { file, version: r.snapshot.version });
    if (!r.ok) opts.log?.error('mesh configuration rejected; the last good one stays in force', { file, error: r.error.message });
  };

  const onEvent = (_event: string, filename: string | Buffer | null): void => {
    if (closed) return;
    const changed = filename === null ? name : filename.toString();
    if (changed !== name && !changed.startsWith('..')) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
    timer.unref();
  };

  let watcher: FSWatcher | undefined = watch(dirname(file), { persistent: false }, onEvent);
  watcher.on('error', (e) => {
    opts.log?.warn('stopped watching the mesh configuration', { file, error: e.message });
    watcher?.close();
    watcher = undefined;
  });

  return {
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
