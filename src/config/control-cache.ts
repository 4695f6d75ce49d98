import { mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Logger } from '../core/index.js';

/** Cached answers are small (a config, an endpoint set, a certificate); anything larger is not ours. */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/**
 * What the control daemon last said, kept on disk so that a workload starting while the daemon
 * is away starts from it (static stability): `.inmesh/cache/<service>/<entry>.json`. The directory
 * is 0700 and every file 0600 (a cached private key is among them); a file is written whole to a
 * temporary name and renamed over the old one, so a crash mid-write leaves the previous good entry.
 * An entry that does not parse or fails its check is reported and ignored, never used.
 *
 * @example
 * const cache = ControlCache.forService('checkout', log, '.inmesh/cache');
 * cache.write('config', { version: 7, yaml });
 * const entry = cache.read('config', isCachedConfig);
 */
export class ControlCache {
  readonly dir: string;
  readonly #log: Logger;
  #made = false;

  constructor(o: { readonly dir: string; readonly log: Logger }) {
    this.dir = resolve(o.dir);
    this.#log = o.log;
  }

  /** The cache of `service` under `root` (mesh.yaml `control.cacheDir`). */
  static forService(service: string, log: Logger, root: string): ControlCache {
    return new ControlCache({ dir: join(root, service), log });
  }

  /** The entry, if it is there, parses and passes `check`; else undefined (a bad one is logged). */
  read<T>(entry: string, check: (value: unknown) => value is T): T | undefined {
    const file = this.#file(entry);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#log.warn('control cache: cannot read an entry; ignoring it', { file, error: (err as Error).message });
      return undefined;
    }
    try {
      if (text.length > MAX_ENTRY_BYTES) throw new Error(`larger than ${MAX_ENTRY_BYTES} bytes`);
      const value: unknown = JSON.parse(text);
      if (!check(value)) throw new Error('not the shape this entry has');
      return value;
    } catch (err) {
      this.#log.warn('control cache: a corrupted entry is ignored', { file, error: (err as Error).message });
      return undefined;
    }
  }

  /** Replaces the entry atomically. A failure (disk full, read-only) is logged: the cache is a help, not a need. */
  write(entry: string, value: unknown): boolean {
    const file = this.#file(entry);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      this.#ensureDir();
      writeFileSync(temp, JSON.stringify(value), { mode: 0o600, flag: 'wx' });
      renameSync(temp, file);
      return true;
    } catch (err) {
      this.#log.warn('control cache: cannot write an entry', { file, error: (err as Error).message });
      try {
        unlinkSync(temp);
      } catch {
        // nothing was left behind
      }
      return false;
    }
  }

  #ensureDir(): void {
    if (this.#made) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask, and an existing directory keeps its own.
    chmodSync(this.dir, 0o700);
    this.#made = true;
  }

  #file(entry: string): string {
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(entry) || entry.startsWith('.')) throw new RangeError(`control cache: invalid entry name ${JSON.stringify(entry)}`);
    return join(this.dir, `${entry}.json`);
  }
}
