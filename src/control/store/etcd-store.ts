import type { Etcd3, ICompare, IRequestOp } from 'etcd3';
import { MeshError } from '../../index.js';
import type { Logger, RegisteredInstance } from '../../experimental.js';
import type { ControlSecrets, ControlStore, InstanceRecord, StoredConfig } from './control-store.js';
import { decodeConfig, decodeSecrets, encodeConfig, encodeInstance, encodeSecrets, encodeServiceMarker, membersDigest, sameRegistration } from './etcd/etcd-codec.js';
import { connectEtcd, ETCD_REQUEST_TIMEOUT_MS, withinDeadline } from './etcd/etcd-client.js';
import { absent, exists, keepAliveOnce, leaseSeconds } from './etcd/etcd-ops.js';
import { KeyLayout } from './etcd/etcd-keys.js';
import { KvMirror, type MirrorBatch, type MirrorEntry } from './etcd/kv-mirror.js';
import { RegistryView, type MarkerRepair } from './etcd/registry-view.js';
import type { SecretBox } from './secret-box.js';

export interface EtcdStoreOptions {
  /** etcd client URLs, `http://host:2379`. */
  readonly endpoints: readonly string[];
  /** Every key of the store is under it (e.g. `/inmesh/`), so several meshes can share one etcd. */
  readonly prefix: string;
  /** Seals the CA key and the token key; the etcd store refuses to open without one. */
  readonly box: SecretBox | undefined;
  readonly log: Logger;
  /** The lease of an instance whose record carries no usable `leaseMs`. */
  readonly leaseMs?: number;
  /** How long one etcd request may take before a write rejects with MESH_ERR_TRANSPORT (default 3 s). */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_LEASE_MS = 10_000;
/** A write resolves once the watch shows it here too, so that a read right after it sees it; past this it resolves anyway (it is durable). */
const VISIBLE_WITHIN_MS = 1_000;

/**
 * Makes the etcd store (the daemon then calls `open()`). Refuses at once without a store key,
 * and when the etcd3 package is not installed.
 *
 * @example
 * const store = await openEtcdStore({ endpoints: ['http://127.0.0.1:2379'], prefix: '/inmesh/', box: SecretBox.fromFile(keyFile), log });
 * await store.open();
 */
export async function openEtcdStore(o: EtcdStoreOptions): Promise<ControlStore> {
  if (!o.box) {
    throw new MeshError('MESH_ERR_CONFIG_INVALID', 'the etcd store needs a store key: the CA key and the token key are kept in etcd, sealed with it (give the daemon a key file of 32 random bytes, e.g. `openssl rand -hex 32`)');
  }
  if (o.endpoints.length === 0) throw new MeshError('MESH_ERR_CONFIG_INVALID', 'the etcd store needs at least one etcd endpoint');
  const timeoutMs = o.requestTimeoutMs ?? ETCD_REQUEST_TIMEOUT_MS;
  const client = await connectEtcd(o.endpoints, timeoutMs);
  return new EtcdStore(client, { ...o, box: o.box }, timeoutMs);
}

class EtcdStore implements ControlStore {
  readonly kind = 'etcd' as const;
  readonly #client: Etcd3;
  readonly #endpoints: readonly string[];
  readonly #box: SecretBox;
  readonly #log: Logger;
  readonly #defaultLeaseMs: number;
  readonly #timeoutMs: number;
  readonly #keys: KeyLayout;
  readonly #mirror: KvMirror;
  readonly #registry: RegistryView;
  #config: StoredConfig | undefined;
  #secrets: { modRevision: number; secrets: ControlSecrets } | undefined;
  readonly #configListeners = new Set<(c: StoredConfig) => void>();
  readonly #instanceListeners = new Set<(service: string) => void>();
  #opening: Promise<void> | undefined;
  #closed = false;

  constructor(client: Etcd3, o: EtcdStoreOptions & { box: SecretBox }, timeoutMs: number) {
    this.#client = client;
    this.#endpoints = o.endpoints;
    this.#box = o.box;
    this.#log = o.log;
    this.#defaultLeaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
    this.#timeoutMs = timeoutMs;
    this.#keys = new KeyLayout(o.prefix);
    this.#registry = new RegistryView((msg, fields) => this.#log.warn(msg, fields));
    // Consumed tokens sort last under the prefix and stay out of the mirror: they are only ever
    // checked by a put-if-absent, and there may be many of them.
    this.#mirror = new KvMirror({
      client,
      start: this.#keys.prefix,
      end: this.#keys.token(''),
      endpoints: o.endpoints,
      timeoutMs,
      log: o.log,
      onBatch: (batch) => this.#onBatch(batch),
    });
  }

  open(): Promise<void> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<void> {
    try {
      await this.#mirror.load();
      // A store key that does not open the stored secrets is refused now, not at the first issuance.
      const stored = this.#mirror.get(this.#keys.secrets());
      if (stored) this.#openSecrets(stored);
      this.#log.info('etcd store: open', { endpoints: this.#endpoints, prefix: this.#keys.prefix, revision: this.#mirror.revision });
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  config(): StoredConfig | undefined {
    return this.#config;
  }

  async putConfig(yaml: string): Promise<StoredConfig> {
    this.#checkOpen();
    const appliedAt = Date.now();
    const res = await this.#call('put config', () => this.#client.kv.put({ key: Buffer.from(this.#keys.config()), value: Buffer.from(encodeConfig({ yaml, appliedAt })) }));
    const version = Number(res.header.revision);
    await this.#mirror.waitFor(version, VISIBLE_WITHIN_MS);
    return Object.freeze({ version, yaml, appliedAt });
  }

  onConfig(listener: (config: StoredConfig) => void): () => void {
    this.#configListeners.add(listener);
    return () => this.#configListeners.delete(listener);
  }

  async upsertInstance(instance: InstanceRecord): Promise<{ readonly version: number }> {
    this.#checkOpen();
    const { service, address } = instance;
    const leaseMs = Number.isFinite(instance.leaseMs) && instance.leaseMs > 0 ? instance.leaseMs : this.#defaultLeaseMs;
    const record = { ...instance, leaseMs };
    const held = this.#registry.held(service, address);
    // A renewal only keeps the lease alive: no put, so the service's version does not move.
    if (held && sameRegistration(held.value, record) && held.lease !== '0') {
      if (await this.#call('renew lease', () => keepAliveOnce(this.#client, held.lease, this.#timeoutMs))) return { version: this.#registry.version(service) };
      // The lease lapsed in etcd (it was away, or renewals stopped): register it again.
    }
    const renewedAfterChange = held !== undefined && !sameRegistration(held.value, record);
    const grant = await this.#call('grant lease', () => this.#client.leaseClient.leaseGrant({ TTL: leaseSeconds(leaseMs) }));
    const value = encodeInstance({ ...record, registeredAt: renewedAfterChange ? held.value.registeredAt : record.registeredAt });
    const members = membersDigest(new Set([...this.#registry.addresses(service), address]));
    const put: IRequestOp = { request_put: { key: Buffer.from(this.#keys.instance(service, address)), value: Buffer.from(value), lease: grant.ID } };
    // Only a new lease length leaves the marker alone, so the version does not move for it.
    const setChanged = !(renewedAfterChange && sameRegistration(held.value, record, true));
    const txn = await this.#call('register instance', () => this.#client.kv.txn({ compare: [], success: setChanged ? [put, this.#markerPut(service, members)] : [put] }));
    // The old lease now holds no key; revoking it spares etcd a lease that lingers until its TTL.
    if (renewedAfterChange && held.lease !== '0') this.#revokeQuietly(held.lease);
    const revision = Number(txn.header.revision);
    await this.#mirror.waitFor(revision, VISIBLE_WITHIN_MS);
    return { version: Math.max(this.#registry.version(service), revision) };
  }

  async removeInstance(service: string, address: string): Promise<boolean> {
    this.#checkOpen();
    const key = Buffer.from(this.#keys.instance(service, address));
    const members = membersDigest(this.#registry.addresses(service).filter((a) => a !== address));
    const txn = await this.#call('remove instance', () =>
      this.#client.kv.txn({
        compare: [exists(key)],
        success: [{ request_delete_range: { key, prev_kv: true } }, this.#markerPut(service, members)],
        failure: [],
      }),
    );
    if (!txn.succeeded) return false;
    // Revoked so that a late renewal of the deregistered instance finds its lease gone and registers it afresh.
    const lease = txn.responses[0]?.response_delete_range.prev_kvs[0]?.lease;
    if (lease && lease !== '0') this.#revokeQuietly(lease);
    await this.#mirror.waitFor(Number(txn.header.revision), VISIBLE_WITHIN_MS);
    return true;
  }

  instances(service: string): { readonly version: number; readonly instances: readonly RegisteredInstance[] } {
    return this.#registry.instances(service);
  }

  services(): readonly string[] {
    return this.#registry.services();
  }

  onInstances(listener: (service: string) => void): () => void {
    this.#instanceListeners.add(listener);
    return () => this.#instanceListeners.delete(listener);
  }

  async secrets(create: () => ControlSecrets): Promise<ControlSecrets> {
    this.#checkOpen();
    const stored = this.#mirror.get(this.#keys.secrets());
    if (stored) return this.#openSecrets(stored);
    const made = Object.freeze({ ...create() });
    const key = Buffer.from(this.#keys.secrets());
    // Of several daemons starting at once, the first put wins; the others read what it stored.
    const txn = await this.#call('create secrets', () =>
      this.#client.kv.txn({
        compare: [absent(key)],
        success: [{ request_put: { key, value: Buffer.from(encodeSecrets(made, this.#box)) } }],
        failure: [{ request_range: { key } }],
      }),
    );
    await this.#mirror.waitFor(Number(txn.header.revision), VISIBLE_WITHIN_MS);
    if (txn.succeeded) return made;
    const kv = txn.responses[0]?.response_range.kvs[0];
    if (!kv) throw new MeshError('MESH_ERR_TRANSPORT', 'etcd store: the secrets were neither created nor found (removed meanwhile?)', { retryable: true });
    return this.#openSecrets({ value: kv.value, modRevision: Number(kv.mod_revision), lease: kv.lease });
  }

  async consumeToken(jti: string, expiresAt: number): Promise<boolean> {
    this.#checkOpen();
    const key = Buffer.from(this.#keys.token(jti));
    // The record lives until the token expires: a replay after that is refused by the expiry itself.
    const grant = await this.#call('grant lease', () => this.#client.leaseClient.leaseGrant({ TTL: leaseSeconds(expiresAt - Date.now()) }));
    const txn = await this.#call('consume token', () =>
      this.#client.kv.txn({
        compare: [absent(key)],
        success: [{ request_put: { key, value: Buffer.from(String(expiresAt)), lease: grant.ID } }],
        failure: [],
      }),
    );
    if (!txn.succeeded) this.#revokeQuietly(grant.ID);
    return txn.succeeded;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#configListeners.clear();
    this.#instanceListeners.clear();
    await this.#mirror.close();
    this.#client.close();
  }

  #onBatch(batch: MirrorBatch): void {
    const touched = new Set<string>();
    let configChanged = false;
    for (const [key, entry] of batch.changed) {
      const k = this.#keys.parse(key);
      switch (k?.kind) {
        case 'config':
          configChanged = this.#setConfig(key, entry) || configChanged;
          break;
        case 'instance':
          this.#registry.setInstance(k.service, k.address, entry, key);
          touched.add(k.service);
          break;
        case 'service':
          this.#registry.setMarker(k.service, entry, key);
          touched.add(k.service);
          break;
        case 'secrets':
        case 'token':
          break;
        default:
          if (entry) this.#log.warn('etcd store: skipping a key the store does not write', { key });
      }
    }
    const { moved, repairs } = this.#registry.settle(touched, batch.revision);
    const config = this.#config;
    if (configChanged && config) for (const l of [...this.#configListeners]) this.#notify(() => l(config));
    for (const service of moved) for (const l of [...this.#instanceListeners]) this.#notify(() => l(service));
    for (const r of repairs) this.#repairMarker(r);
  }

  /** True when the config in force changed. A value that does not decode is skipped: the last good config stays. */
  #setConfig(key: string, entry: MirrorEntry | undefined): boolean {
    if (!entry) return false;
    const value = decodeConfig(entry.value);
    if (!value) {
      this.#log.warn('etcd store: skipping a config value that does not decode; the last good config stays', { key, modRevision: entry.modRevision });
      return false;
    }
    if (this.#config?.version === entry.modRevision) return false;
    this.#config = Object.freeze({ version: entry.modRevision, yaml: value.yaml, appliedAt: value.appliedAt });
    return true;
  }

  #openSecrets(entry: MirrorEntry): ControlSecrets {
    if (this.#secrets?.modRevision === entry.modRevision) return this.#secrets.secrets;
    const secrets = decodeSecrets(entry.value, this.#box);
    this.#secrets = { modRevision: entry.modRevision, secrets };
    return secrets;
  }

  #markerPut(service: string, members: string): IRequestOp {
    return { request_put: { key: Buffer.from(this.#keys.service(service)), value: Buffer.from(encodeServiceMarker({ members })) } };
  }

  /** Rewrites a marker that no longer matches its set, unless someone rewrote it meanwhile (see RegistryView). */
  #repairMarker(r: MarkerRepair): void {
    if (this.#closed) return;
    const key = Buffer.from(this.#keys.service(r.service));
    const compare: ICompare = r.markerModRevision === 0 ? absent(key) : { key, target: 'Mod', result: 'Equal', mod_revision: r.markerModRevision };
    this.#call('repair service marker', () => this.#client.kv.txn({ compare: [compare], success: [this.#markerPut(r.service, r.members)], failure: [] })).catch((err: unknown) =>
      this.#log.debug('etcd store: a service marker was not repaired (the next change or read retries)', { service: r.service, err: (err as Error).message }),
    );
  }

  #revokeQuietly(lease: string): void {
    this.#call('revoke lease', () => this.#client.leaseClient.leaseRevoke({ ID: lease })).catch(() => undefined);
  }

  #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new MeshError('MESH_ERR_CLOSED', `the etcd store is closed (${what})`));
    return withinDeadline(what, this.#endpoints, this.#timeoutMs, run);
  }

  #checkOpen(): void {
    if (this.#closed) throw new MeshError('MESH_ERR_CLOSED', 'the etcd store is closed');
  }

  #notify(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#log.error('etcd store: a listener threw', { err: (err as Error).message });
    }
  }
}
