import type { RegisteredInstance } from '../../../experimental.js';
import { decodeInstance, decodeServiceMarker, membersDigest, type InstanceValue } from './etcd-codec.js';
import type { MirrorEntry } from './kv-mirror.js';

export interface HeldInstance {
  readonly value: InstanceValue;
  readonly lease: string;
}

interface ServiceState {
  readonly instances: Map<string, HeldInstance>;
  marker: { readonly members: string; readonly modRevision: number } | undefined;
  version: number;
}

/** A service whose marker no longer matches its set: some change happened that the store did not write (a lease lapsed). */
export interface MarkerRepair {
  readonly service: string;
  /** The marker's mod revision the repair must still find (0: no marker yet). */
  readonly markerModRevision: number;
  readonly members: string;
}

/**
 * The registry as the mirror shows it, per service, with its version.
 *
 * Why the version is what it is: it must go up with every change of a set, never go back (also
 * when a daemon restarts), and read alike on every daemon of one etcd. The mod revision of the
 * newest instance key is not enough: a removal leaves no key behind, so after a restart the
 * version would fall back. So every change the store makes to a set also rewrites the service's
 * marker key in the same transaction, and the version is the marker's mod revision: durable,
 * shared, monotonic. One change bypasses the store: etcd deleting a key whose lease lapsed. The
 * marker keeps a digest of the addresses it was written for, so a set that no longer matches it
 * is seen at once (on a watch event, or on the first read after a restart, however long the
 * daemons were away); the version then moves to the revision where the mismatch was seen, and
 * the first daemon to notice rewrites the marker (a compare-and-put, so only one does), which
 * settles every daemon on the marker again.
 */
export class RegistryView {
  readonly #services = new Map<string, ServiceState>();
  readonly #warn: (msg: string, fields: Record<string, unknown>) => void;

  constructor(warn: (msg: string, fields: Record<string, unknown>) => void) {
    this.#warn = warn;
  }

  instances(service: string): { readonly version: number; readonly instances: readonly RegisteredInstance[] } {
    const s = this.#services.get(service);
    if (!s) return { version: 0, instances: [] };
    return { version: s.version, instances: [...s.instances.values()].map((h) => publicInstance(h.value)) };
  }

  held(service: string, address: string): HeldInstance | undefined {
    return this.#services.get(service)?.instances.get(address);
  }

  /** The addresses of the service's set, as the mirror has it. */
  addresses(service: string): string[] {
    return [...(this.#services.get(service)?.instances.keys() ?? [])];
  }

  version(service: string): number {
    return this.#services.get(service)?.version ?? 0;
  }

  services(): readonly string[] {
    return [...this.#services].filter(([, s]) => s.instances.size > 0).map(([name]) => name).sort();
  }

  setInstance(service: string, address: string, entry: MirrorEntry | undefined, key: string): void {
    const s = this.#state(service);
    if (!entry) {
      s.instances.delete(address);
      return;
    }
    const value = decodeInstance(entry.value);
    if (!value || value.service !== service || value.address !== address) {
      this.#warn('etcd store: skipping an instance value that does not decode', { key, modRevision: entry.modRevision });
      s.instances.delete(address);
      return;
    }
    s.instances.set(address, { value, lease: entry.lease });
  }

  setMarker(service: string, entry: MirrorEntry | undefined, key: string): void {
    const s = this.#state(service);
    const marker = entry && decodeServiceMarker(entry.value);
    if (entry && !marker) this.#warn('etcd store: skipping a service marker that does not decode', { key, modRevision: entry.modRevision });
    s.marker = marker && entry ? { members: marker.members, modRevision: entry.modRevision } : undefined;
  }

  /**
   * Recomputes the version of services a batch touched (`revision`: where the batch was seen).
   * Returns those whose version moved, and the markers to repair.
   */
  settle(services: Iterable<string>, revision: number): { moved: string[]; repairs: MarkerRepair[] } {
    const moved: string[] = [];
    const repairs: MarkerRepair[] = [];
    for (const service of services) {
      const s = this.#services.get(service);
      if (!s) continue;
      const members = membersDigest(s.instances.keys());
      const matches = s.marker !== undefined && s.marker.members === members;
      const candidate = matches ? s.marker!.modRevision : revision;
      if (!matches && (s.instances.size > 0 || s.marker !== undefined)) repairs.push({ service, markerModRevision: s.marker?.modRevision ?? 0, members });
      if (candidate > s.version) {
        s.version = candidate;
        moved.push(service);
      }
      if (s.instances.size === 0 && s.marker === undefined) this.#services.delete(service);
    }
    return { moved, repairs };
  }

  #state(service: string): ServiceState {
    let s = this.#services.get(service);
    if (!s) {
      s = { instances: new Map(), marker: undefined, version: 0 };
      this.#services.set(service, s);
    }
    return s;
  }
}

function publicInstance(v: InstanceValue): RegisteredInstance {
  return { service: v.service, address: v.address, labels: v.labels, meshed: v.meshed, protocols: v.protocols, registeredAt: v.registeredAt };
}
