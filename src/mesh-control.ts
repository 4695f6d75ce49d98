import { readFileSync } from 'node:fs';
import { MeshError, type Clock, type Logger, type Random } from './core/index.js';
import { ControlPaths, type ConfigResponseBody } from './config/control-api.js';
import { ControlCache } from './config/control-cache.js';
import { controlSnapshot, parseControlConfig, type ControlConfigVersion } from './config/control-merge.js';
import type { ConfigStore } from './config/config-store.js';
import type { EnvRecord } from './config/interpolate.js';
import type { ConfigSnapshot, ControlConfig, IdentityConfig } from './config/types.js';
import { BlockingWatch } from './discovery/control/blocking-watch.js';
import { ControlClient, type ControlAnswer } from './discovery/control/control-client.js';
import { ControlRegistry, STARTUP_BOUND_MS } from './discovery/control/control-registry.js';
import { ControlRegistrar } from './server/control-registrar.js';
import type { WorkloadIdentity } from './identity/index.js';
import type { MeshMetrics } from './telemetry/index.js';

export interface MeshControlOptions {
  readonly service: string;
  readonly control: ControlConfig;
  readonly identity: IdentityConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random: Random;
  readonly metrics: MeshMetrics;
  readonly env?: EnvRecord;
  /** How long a start waits for the daemon before it uses the cache; default STARTUP_BOUND_MS. */
  readonly startupBoundMs?: number;
}

interface CachedConfig {
  readonly version: number;
  readonly yaml: string;
}

/** The config the daemon serves is fetched in one query at start; a start that cannot wait longer uses the cache. */
const CONFIG_ENTRY = 'config';

/**
 * A workload's side of the control daemon, put together: the client (TLS to the daemon, mTLS
 * once there is a certificate), the mesh-wide configuration watched and merged over the
 * workload's own file (rules in control-merge.ts), the registry for `discovery: { control: true }`,
 * the registrar of `mesh.serve`, and the disk cache that lets a workload start and run while the
 * daemon is away. Nothing here is on the request path: watches, renewals and cache writes run
 * beside the traffic, and a daemon that goes away changes nothing in force.
 */
export class MeshControl {
  readonly client: ControlClient;
  readonly registry: ControlRegistry;
  readonly registrar: ControlRegistrar;
  readonly cache: ControlCache;
  readonly #o: MeshControlOptions;
  readonly #bootstrapCa: string | undefined;
  readonly #configWatch: BlockingWatch<ConfigResponseBody>;
  #daemon: ControlConfigVersion | undefined;
  #local: ConfigSnapshot | undefined;
  #store: ConfigStore | undefined;
  #pinnedTrustDomain: string | undefined;
  #unIdentity: (() => void) | undefined;

  /** Starts the client and the config watch, and waits (a bounded time) for the daemon's first config or the cache. */
  static async start(o: MeshControlOptions): Promise<MeshControl> {
    const control = new MeshControl(o);
    await control.#firstConfig();
    return control;
  }

  private constructor(o: MeshControlOptions) {
    this.#o = o;
    this.#bootstrapCa = readCa(o.control.caFile);
    o.metrics.controlConnected.set({}, 0);
    this.client = new ControlClient({
      url: o.control.url,
      tls: this.#bootstrapCa === undefined ? {} : { ca: this.#bootstrapCa },
      clock: o.clock,
      log: o.log,
      onConnected: (up) => o.metrics.controlConnected.set({}, up ? 1 : 0),
      onFailure: (feed) => o.metrics.controlWatchFailures.inc({ feed }),
    });
    this.cache = ControlCache.forService(o.service, o.log, o.control.cacheDir);
    this.registry = new ControlRegistry({ client: this.client, clock: o.clock, random: o.random, log: o.log, cache: this.cache, startupBoundMs: o.startupBoundMs ?? STARTUP_BOUND_MS });
    this.registrar = new ControlRegistrar({ client: this.client, instance: () => this.#store?.current().config.control?.instance ?? o.control.instance, clock: o.clock, random: o.random, log: o.log });
    this.#configWatch = new BlockingWatch({
      client: this.client,
      feed: 'config',
      path: ControlPaths.config,
      parse: parseConfigAnswer,
      onValue: (body) => this.#daemonConfig(body.yaml, body.version),
      random: o.random,
      log: o.log,
    });
  }

  /** The local file's snapshot merged with the daemon's last good version; remembers it for later daemon versions. */
  compose(local: ConfigSnapshot): ConfigSnapshot {
    const merged = controlSnapshot(local, this.#daemon, local.version, this.#pinnedTrustDomain);
    this.#local = local;
    return merged;
  }

  /** From now on daemon versions go into `store`; its trust domain is pinned when the workload has an identity. */
  attach(store: ConfigStore, identity: WorkloadIdentity | undefined): void {
    this.#store = store;
    if (identity) this.#pinnedTrustDomain = identity.trustDomain;
    if (!identity) return;
    // A dev-CA certificate means nothing to the daemon: present one only when it comes from the mesh's CA.
    const present = this.#o.identity.mode === 'control' || this.#o.identity.mode === 'files';
    const useCredentials = () => {
      const c = identity.credentials;
      const ca = [this.#bootstrapCa, c.bundlePem].filter((p) => p !== undefined).join('\n');
      this.client.setTls(present ? { ca, cert: c.certPem, key: c.keyPem } : { ca });
    };
    useCredentials();
    this.#unIdentity = identity.onChange(useCredentials);
  }

  async close(): Promise<void> {
    this.#unIdentity?.();
    this.#configWatch.stop();
    this.registrar.close();
    this.registry.close();
    await this.client.close();
  }

  async #firstConfig(): Promise<void> {
    const bound = this.#o.startupBoundMs ?? STARTUP_BOUND_MS;
    let timer: unknown;
    const timedOut = new Promise<boolean>((resolve) => (timer = this.#o.clock.setTimeout(() => resolve(false), bound)));
    const answered = await Promise.race([this.#configWatch.first(), timedOut]);
    this.#o.clock.clearTimeout(timer);
    if (answered && this.#daemon) return;
    const cached = this.cache.read(CONFIG_ENTRY, isCachedConfig);
    if (cached) {
      try {
        this.#daemon = parseControlConfig(cached.yaml, cached.version, this.#o.env);
        this.#o.log.info('control: the daemon did not answer in time; starting from the cached configuration', { version: cached.version, url: this.#o.control.url, waitedMs: bound });
        return;
      } catch (err) {
        this.#o.log.warn('control cache: the cached configuration does not load; ignoring it', { version: cached.version, error: (err as Error).message });
      }
    }
    this.#o.log.warn('control: no configuration from the daemon and none cached; starting from the local file alone until it answers', { url: this.#o.control.url });
  }

  #daemonConfig(yaml: string, version: number): void {
    let next: ControlConfigVersion;
    try {
      next = parseControlConfig(yaml, version, this.#o.env);
      if (this.#store && this.#local) controlSnapshot(this.#local, next, version, this.#pinnedTrustDomain);
    } catch (err) {
      this.#o.log.error('control: configuration refused; the last good one stays in force', { version, error: (err as Error).message });
      this.#store?.tryApply(() => {
        throw err;
      });
      return;
    }
    this.#daemon = next;
    this.cache.write(CONFIG_ENTRY, { version, yaml } satisfies CachedConfig);
    if (!this.#store || !this.#local) return;
    const local = this.#local;
    const store = this.#store;
    const r = store.tryApply(() => controlSnapshot(local, next, store.current().version + 1, this.#pinnedTrustDomain), { ifChanged: true });
    if (r.ok && r.changed) this.#o.log.info('mesh configuration updated from the control daemon', { version: r.snapshot.version, control: version });
  }
}

function parseConfigAnswer(answer: ControlAnswer): { value: ConfigResponseBody; version: number } {
  const body = answer.body as Partial<ConfigResponseBody> | undefined;
  if (answer.status !== 200) throw new Error(`the daemon answered ${answer.status} for its configuration`);
  if (!body || typeof body.yaml !== 'string' || typeof body.version !== 'number') throw new Error('the daemon\'s configuration answer lacks yaml or version');
  return { value: body as ConfigResponseBody, version: body.version };
}

function readCa(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new MeshError('MESH_ERR_CONFIG_INVALID', `control.caFile: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function isCachedConfig(v: unknown): v is CachedConfig {
  const c = v as Partial<CachedConfig> | null;
  return c !== null && typeof c === 'object' && typeof c.version === 'number' && typeof c.yaml === 'string';
}
