import type { RegisteredInstance } from '../../experimental.js';

/** The config in force, as the store keeps it. */
export interface StoredConfig {
  /** Monotonic across restarts and across daemons sharing a store (etcd: the key's mod revision). */
  readonly version: number;
  readonly yaml: string;
  /** Epoch ms. */
  readonly appliedAt: number;
}

/** What the daemon's root of trust and signing keys are; made once, shared by every daemon of a store. */
export interface ControlSecrets {
  readonly trustDomain: string;
  readonly caCertificatePem: string;
  /** PKCS#8 PEM. A store encrypts it at rest when it was given a store key. */
  readonly caKeyPem: string;
  /** The ES256 key (PKCS#8 PEM) that signs join tokens. */
  readonly tokenKeyPem: string;
  /** SHA-256 (hex) of the admin token; the token itself is shown once, when it is made. */
  readonly adminTokenSha256: string;
}

export interface InstanceRecord extends RegisteredInstance {
  /** Lease length in ms; the store removes the instance when it is not renewed within it. */
  readonly leaseMs: number;
}

/**
 * Where a control daemon keeps its state. Reads are synchronous, from a mirror the store keeps
 * current (memory: itself; etcd: filled by etcd watches), so that every blocking query and
 * watcher is served from memory and any daemon of a shared store answers alike. Writes are
 * asynchronous and resolve once durable (file snapshot written, etcd put acknowledged).
 * Listeners hear about every change, whichever daemon made it.
 */
export interface ControlStore {
  readonly kind: 'memory' | 'file' | 'etcd';
  /** Loads (or connects and fills the mirror); rejects with a clear error for a corrupted or unreadable store. */
  open(): Promise<void>;

  config(): StoredConfig | undefined;
  /** Puts a new config in force; the store assigns the version. */
  putConfig(yaml: string): Promise<StoredConfig>;
  onConfig(listener: (config: StoredConfig) => void): () => void;

  /** Registers an instance or renews its lease (an upsert; renewing does not move the service's version unless something else changed). */
  upsertInstance(instance: InstanceRecord): Promise<{ readonly version: number }>;
  /** Removes it at once (deregistration); false when it was not registered. */
  removeInstance(service: string, address: string): Promise<boolean>;
  /** The service's current set and its version (0 and [] for a service never seen). */
  instances(service: string): { readonly version: number; readonly instances: readonly RegisteredInstance[] };
  services(): readonly string[];
  /** Called with the service's name whenever its set changes (a registration, a removal, a lapsed lease). */
  onInstances(listener: (service: string) => void): () => void;

  /**
   * The secrets in force: those stored, or, when there are none yet, the ones `create` makes,
   * stored atomically (of several daemons starting at once on one store, exactly one creates).
   */
  secrets(create: () => ControlSecrets): Promise<ControlSecrets>;
  /** Records a single-use token's id; true the first time, false on a replay. Entries may be forgotten after `expiresAt`. */
  consumeToken(jti: string, expiresAt: number): Promise<boolean>;

  close(): Promise<void>;
}
