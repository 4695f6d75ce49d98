import type { ConfigSnapshot } from '../config/types.js';
import { Destination, type DestinationStacks } from './destination.js';
import type { ClientEnv } from './client-env.js';

/**
 * The outbound side of a workload: one Destination per service of the current config.
 * A new snapshot rebuilds only the services whose hash changed, then swaps the lookup
 * table in one assignment.
 */
export class MeshClient {
  #destinations: ReadonlyMap<string, Destination> = new Map();
  #hashes: Readonly<Record<string, string>> = {};
  readonly #env: ClientEnv;
  readonly #stacks: DestinationStacks;
  #closed = false;

  constructor(env: ClientEnv, stacks: DestinationStacks) {
    this.#env = env;
    this.#stacks = stacks;
  }

  /** The destination for a host name, or undefined when the host is not a mesh service. */
  destination(host: string): Destination | undefined {
    return this.#destinations.get(host);
  }

  get destinations(): ReadonlyMap<string, Destination> {
    return this.#destinations;
  }

  apply(snapshot: ConfigSnapshot): void {
    if (this.#closed) return;
    const next = new Map<string, Destination>();
    const removed: Destination[] = [];
    for (const [name, cfg] of Object.entries(snapshot.config.services)) {
      const existing = this.#destinations.get(name);
      if (!existing) next.set(name, new Destination(cfg, this.#env, this.#stacks));
      else {
        if (this.#hashes[name] !== snapshot.serviceHashes[name]) existing.reconfigure(cfg);
        next.set(name, existing);
      }
    }
    for (const [name, d] of this.#destinations) if (!next.has(name)) removed.push(d);
    this.#destinations = next;
    this.#hashes = snapshot.serviceHashes;
    for (const d of removed) void d.close().catch((err: unknown) => this.#env.log.warn('closing a removed destination failed', { service: d.name, err }));
  }

  /**
   * Rebuilds every destination's route stacks with the config it has: for a change outside the
   * services (the access log turned on or off) that adds or removes a module.
   */
  rebuildStacks(): void {
    if (this.#closed) return;
    for (const d of this.#destinations.values()) d.reconfigure(d.config);
  }

  /** Resolves once every destination has its first endpoint set. */
  async ready(): Promise<void> {
    await Promise.all([...this.#destinations.values()].map((d) => d.ready()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#destinations.values()];
    this.#destinations = new Map();
    await Promise.all(all.map((d) => d.close()));
  }
}
