import { systemClock, type Clock } from '../../experimental.js';
import type { RegisteredInstance } from '../../experimental.js';
import type { ControlSecrets, ControlStore, InstanceRecord, StoredConfig } from './control-store.js';

/** Everything a store holds, as plain data: what a file snapshot writes and reads back. */
export interface StoreState {
  readonly config: StoredConfig | undefined;
  readonly instances: readonly InstanceRecord[];
  /** Per service, the registry version; kept after a service's last instance goes, so versions never repeat. */
  readonly versions: Readonly<Record<string, number>>;
  readonly secrets: ControlSecrets | undefined;
  /** Consumed single-use token ids → their expiry (epoch ms). */
  readonly tokens: Readonly<Record<string, number>>;
}

export interface MemoryStoreOptions {
  /** Runs the lease timers (unref'd with the system clock, so they never hold the process open). */
  readonly clock?: Clock;
  /** Wall time in epoch ms, for forgetting consumed tokens after they expire. */
  readonly now?: () => number;
}

interface Lease {
  record: InstanceRecord;
  timer: unknown;
}

/** Consumed tokens are swept of expired entries at most this often. */
const TOKEN_SWEEP_EVERY = 1024;

function sameInstance(a: InstanceRecord, b: InstanceRecord): boolean {
  if (a.meshed !== b.meshed || a.protocols.length !== b.protocols.length || a.protocols.some((p, i) => p !== b.protocols[i])) return false;
  const ak = Object.keys(a.labels);
  return ak.length === Object.keys(b.labels).length && ak.every((k) => Object.hasOwn(b.labels, k) && a.labels[k] === b.labels[k]);
}

/**
 * The store that keeps everything in this process: config, registry with leases that lapse on
 * unref'd timers, secrets and consumed tokens. A restart forgets it all; FileStore adds a snapshot.
 * Every change calls `durable()` and the write resolves when it does (here at once).
 */
export class MemoryStore implements ControlStore {
  readonly kind: 'memory' | 'file' | 'etcd' = 'memory';
  protected readonly clock: Clock;
  protected readonly now: () => number;
  #config: StoredConfig | undefined;
  #secrets: ControlSecrets | undefined;
  readonly #leases = new Map<string, Map<string, Lease>>();
  readonly #versions = new Map<string, number>();
  readonly #tokens = new Map<string, number>();
  #tokensSinceSweep = 0;
  readonly #configListeners = new Set<(c: StoredConfig) => void>();
  readonly #instanceListeners = new Set<(service: string) => void>();
  #closed = false;

  constructor(o: MemoryStoreOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.now = o.now ?? Date.now;
  }

  async open(): Promise<void> {}

  /** Persists the state after a change; the memory store has nothing to do. */
  protected durable(): Promise<void> {
    return Promise.resolve();
  }

  config(): StoredConfig | undefined {
    return this.#config;
  }

  async putConfig(yaml: string): Promise<StoredConfig> {
    const config: StoredConfig = Object.freeze({ version: (this.#config?.version ?? 0) + 1, yaml, appliedAt: this.now() });
    this.#config = config;
    for (const l of [...this.#configListeners]) l(config);
    await this.durable();
    return config;
  }

  onConfig(listener: (config: StoredConfig) => void): () => void {
    this.#configListeners.add(listener);
    return () => this.#configListeners.delete(listener);
  }

  async upsertInstance(instance: InstanceRecord): Promise<{ readonly version: number }> {
    const leases = this.#leases.get(instance.service) ?? new Map<string, Lease>();
    this.#leases.set(instance.service, leases);
    const held = leases.get(instance.address);
    if (held) {
      this.clock.clearTimeout(held.timer);
      const changed = !sameInstance(held.record, instance);
      const leaseChanged = held.record.leaseMs !== instance.leaseMs;
      held.record = Object.freeze({ ...instance, registeredAt: held.record.registeredAt });
      held.timer = this.#armLease(instance.service, instance.address, instance.leaseMs);
      if (!changed) {
        // The lease length is in the snapshot (a restart grants it afresh), not in the set watchers see.
        if (leaseChanged) await this.durable();
        return { version: this.#versions.get(instance.service) ?? 0 };
      }
    } else {
      leases.set(instance.address, { record: Object.freeze({ ...instance }), timer: this.#armLease(instance.service, instance.address, instance.leaseMs) });
    }
    const version = this.#bump(instance.service);
    await this.durable();
    return { version };
  }

  async removeInstance(service: string, address: string): Promise<boolean> {
    if (!this.#drop(service, address)) return false;
    await this.durable();
    return true;
  }

  instances(service: string): { readonly version: number; readonly instances: readonly RegisteredInstance[] } {
    const leases = this.#leases.get(service);
    const instances = leases ? [...leases.values()].map((l) => publicInstance(l.record)) : [];
    return { version: this.#versions.get(service) ?? 0, instances };
  }

  services(): readonly string[] {
    return [...this.#leases.keys()].sort();
  }

  onInstances(listener: (service: string) => void): () => void {
    this.#instanceListeners.add(listener);
    return () => this.#instanceListeners.delete(listener);
  }

  async secrets(create: () => ControlSecrets): Promise<ControlSecrets> {
    if (this.#secrets) return this.#secrets;
    this.#secrets = Object.freeze({ ...create() });
    await this.durable();
    return this.#secrets;
  }

  async consumeToken(jti: string, expiresAt: number): Promise<boolean> {
    if (this.#tokens.has(jti)) return false;
    this.#tokens.set(jti, expiresAt);
    if (++this.#tokensSinceSweep >= TOKEN_SWEEP_EVERY) this.#sweepTokens();
    await this.durable();
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const leases of this.#leases.values()) for (const l of leases.values()) this.clock.clearTimeout(l.timer);
    this.#configListeners.clear();
    this.#instanceListeners.clear();
  }

  /** The whole state as plain data (for a snapshot). */
  protected state(): StoreState {
    const instances = [...this.#leases.values()].flatMap((m) => [...m.values()].map((l) => l.record));
    return {
      config: this.#config,
      instances,
      versions: Object.fromEntries(this.#versions),
      secrets: this.#secrets,
      tokens: Object.fromEntries(this.#tokens),
    };
  }

  /** Takes a state read back from a snapshot; every lease starts afresh. */
  protected restore(s: StoreState): void {
    this.#config = s.config && Object.freeze({ ...s.config });
    this.#secrets = s.secrets && Object.freeze({ ...s.secrets });
    for (const [service, v] of Object.entries(s.versions)) this.#versions.set(service, v);
    for (const [jti, exp] of Object.entries(s.tokens)) this.#tokens.set(jti, exp);
    this.#sweepTokens();
    for (const r of s.instances) {
      const leases = this.#leases.get(r.service) ?? new Map<string, Lease>();
      this.#leases.set(r.service, leases);
      leases.set(r.address, { record: Object.freeze({ ...r }), timer: this.#armLease(r.service, r.address, r.leaseMs) });
    }
  }

  #armLease(service: string, address: string, leaseMs: number): unknown {
    return this.clock.setTimeout(() => {
      if (this.#closed) return;
      if (this.#drop(service, address)) void this.durable().catch(() => undefined);
    }, leaseMs);
  }

  #drop(service: string, address: string): boolean {
    const leases = this.#leases.get(service);
    const held = leases?.get(address);
    if (!leases || !held) return false;
    this.clock.clearTimeout(held.timer);
    leases.delete(address);
    if (leases.size === 0) this.#leases.delete(service);
    this.#bump(service);
    return true;
  }

  #bump(service: string): number {
    const version = (this.#versions.get(service) ?? 0) + 1;
    this.#versions.set(service, version);
    for (const l of [...this.#instanceListeners]) l(service);
    return version;
  }

  #sweepTokens(): void {
    this.#tokensSinceSweep = 0;
    const now = this.now();
    for (const [jti, exp] of this.#tokens) if (exp < now) this.#tokens.delete(jti);
  }
}

function publicInstance(r: InstanceRecord): RegisteredInstance {
  return { service: r.service, address: r.address, labels: r.labels, meshed: r.meshed, protocols: r.protocols, registeredAt: r.registeredAt };
}
