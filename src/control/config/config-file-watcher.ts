import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../../experimental.js';
import { MAX_CONFIG_BODY_BYTES } from '../http/read-body.js';

export interface ConfigFileWatcher {
  close(): void;
}

/** Quiet time after the last event before reading: editors save in several steps. */
const DEBOUNCE_MS = 50;

/**
 * Calls `onText` with the file's text whenever it changes. The directory is watched, not the
 * file, so editors that save by renaming a new file over the old one (and Kubernetes ConfigMap
 * volumes, which swap a `..data` symlink) keep being followed. The watcher holds no process open.
 */
export function watchConfigFile(path: string, initialText: string, onText: (text: string) => void, log: Logger): ConfigFileWatcher {
  const file = resolve(path);
  const name = basename(file);
  let last = initialText;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const read = (): void => {
    timer = undefined;
    if (closed) return;
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > MAX_CONFIG_BODY_BYTES) {
        log.error('mesh configuration rejected; the last good one stays in force', { file: path, issues: [`${path}: the file is ${size} bytes, over the limit of 8 MiB`] });
        return;
      }
      text = readFileSync(file, 'utf8');
    } catch (e) {
      // Mid rename-replace the file may be briefly absent; its return is another event.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('cannot read the mesh configuration file', { file: path, error: (e as Error).message });
      return;
    }
    if (text === last) return;
    last = text;
    onText(text);
  };

  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    if (closed) return;
    const what = changed === null ? name : changed.toString();
    if (what !== name && !what.startsWith('..')) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(read, DEBOUNCE_MS);
    timer.unref();
  });
  watcher.on('error', (e) => log.warn('stopped watching the mesh configuration file', { file: path, error: e.message }));

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
