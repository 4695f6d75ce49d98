import { createHash } from 'node:crypto';
import type { ConfigSnapshot, MeshConfig } from './types.js';

/** Freezes a plain tree all the way down, so no layer can change a snapshot another layer reads. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** JSON with sorted keys (undefined values left out): equal configs give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function hashOf(value: unknown): string {
  return createHash('sha1').update(canonicalJson(value)).digest('hex');
}

/**
 * Wraps a normalised config in a deep-frozen snapshot with a stable hash per service, so a reload
 * rebuilds only the services whose hash changed.
 *
 * @example
 * const snap = createSnapshot(config, { version: 1, source: 'mesh.yaml' });
 * snap.serviceHashes.orders // 'a94a8fe5…'
 */
export function createSnapshot(config: MeshConfig, o: { readonly version?: number; readonly source: string }): ConfigSnapshot {
  deepFreeze(config);
  const serviceHashes = Object.fromEntries(Object.entries(config.services).map(([name, svc]) => [name, hashOf(svc)]));
  return deepFreeze({ version: o.version ?? 1, config, serviceHashes, source: o.source });
}

/** True when two configs would build the same stacks. */
export function sameConfig(a: MeshConfig, b: MeshConfig): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b);
}
