import { ConfigValidationError } from '../core/index.js';
import { sameConfig } from './snapshot.js';
import type { ConfigSnapshot } from './types.js';

export interface ConfigStoreStats {
  readonly applied: number;
  readonly rejected: number;
  readonly lastError?: ConfigValidationError;
}

export type TryApplyResult =
  | { readonly ok: true; readonly snapshot: ConfigSnapshot; readonly changed: boolean }
  | { readonly ok: false; readonly error: ConfigValidationError };

/**
 * The configuration in force, published as immutable snapshots (linkerd's `watch`, the grpc-js
 * Picker): readers take `current()` once per unit of work; subscribers hear about each new snapshot.
 * An update that fails to build is rejected whole and the last good snapshot stays. Versions only
 * go up: a snapshot whose version is not above the current one is renumbered as it is applied.
 *
 * @example
 * const store = new ConfigStore(loadMeshConfigFile('mesh.yaml'));
 * store.subscribe((snap) => client.apply(snap));
 * store.tryApply(() => loadMeshConfigFile('mesh.yaml'));
 */
export class ConfigStore {
  #current: ConfigSnapshot;
  #applied = 0;
  #rejected = 0;
  #lastError: ConfigValidationError | undefined;
  readonly #listeners = new Set<(s: ConfigSnapshot) => void>();
  readonly #rejectedListeners = new Set<(e: ConfigValidationError) => void>();

  constructor(initial: ConfigSnapshot) {
    this.#current = initial;
  }

  current(): ConfigSnapshot {
    return this.#current;
  }

  /** Calls `fn` with every snapshot applied from now on (not the current one). Returns an unsubscribe. */
  subscribe(fn: (snapshot: ConfigSnapshot) => void): () => void {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }

  /** Calls `fn` with the error of every rejected update. Returns an unsubscribe. */
  onRejected(fn: (error: ConfigValidationError) => void): () => void {
    this.#rejectedListeners.add(fn);
    return () => void this.#rejectedListeners.delete(fn);
  }

  /** Puts `snapshot` in force and tells subscribers; returns it as applied (possibly renumbered). */
  apply(snapshot: ConfigSnapshot): ConfigSnapshot {
    const next = snapshot.version > this.#current.version ? snapshot : Object.freeze({ ...snapshot, version: this.#current.version + 1 });
    this.#current = next;
    this.#applied++;
    notify(this.#listeners, next);
    return next;
  }

  /**
   * Builds a snapshot with `make` and applies it; if `make` throws, the update is rejected, counted and
   * reported to `onRejected` listeners, and the current snapshot stays. With `ifChanged`, a snapshot
   * equal to the current one (a comment edit, a touch) is not applied again.
   */
  tryApply(make: () => ConfigSnapshot, opts: { readonly ifChanged?: boolean } = {}): TryApplyResult {
    let snapshot: ConfigSnapshot;
    try {
      snapshot = make();
    } catch (e) {
      const error = e instanceof ConfigValidationError ? e : new ConfigValidationError([{ path: '', message: e instanceof Error ? e.message : String(e) }]);
      this.#rejected++;
      this.#lastError = error;
      notify(this.#rejectedListeners, error);
      return { ok: false, error };
    }
    if (opts.ifChanged && sameConfig(snapshot.config, this.#current.config)) return { ok: true, snapshot: this.#current, changed: false };
    return { ok: true, snapshot: this.apply(snapshot), changed: true };
  }

  stats(): ConfigStoreStats {
    return this.#lastError ? { applied: this.#applied, rejected: this.#rejected, lastError: this.#lastError } : { applied: this.#applied, rejected: this.#rejected };
  }
}

// One listener's exception must not keep the others on an old snapshot; it is rethrown outside the loop.
function notify<T>(listeners: ReadonlySet<(v: T) => void>, value: T): void {
  for (const fn of [...listeners]) {
    try {
      fn(value);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}
