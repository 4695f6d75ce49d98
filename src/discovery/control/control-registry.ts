import type { Clock, Logger, Random } from '../../core/index.js';
import { ControlPaths, type RegisteredInstance, type ServiceInstancesBody } from '../../config/control-api.js';
import type { ControlCache } from '../../config/control-cache.js';
import { parseHostPort } from '../../config/endpoint-address.js';
import type { EndpointSpec } from '../../config/types.js';
import { EndpointPublisher } from '../endpoint-publisher.js';
import type { Resolver } from '../resolver.js';
import { BlockingWatch } from './blocking-watch.js';
import type { ControlAnswer, ControlClient } from './control-client.js';

export interface ControlRegistryOptions {
  readonly client: ControlClient;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  readonly cache?: ControlCache;
  /** How long a new watch waits for the daemon before it serves the cached set; default STARTUP_BOUND_MS. */
  readonly startupBoundMs?: number;
  readonly waitMs?: number;
}

/** A workload starting while the daemon is away serves from the cache after this long. */
export const STARTUP_BOUND_MS = 2500;

interface CachedInstances {
  readonly version: number;
  readonly instances: readonly RegisteredInstance[];
}

/**
 * The control registry as discovery sees it: one blocking watch per service called, shared by
 * every resolver of that service (an HTTP destination and a gRPC channel, a destination rebuilt
 * by a reload), stopped when the last one closes. Each answer is a full set and is published as
 * it comes, an empty one too (the service really has none); a failed query publishes nothing, so
 * the last good set stays while the daemon is away. Sets are cached on disk, and a watch that gets
 * no answer at start serves the cached set until the daemon answers.
 *
 * @example
 * const registry = new ControlRegistry({ client, clock, random, log, cache });
 * const resolver = registry.resolver('orders');
 */
export class ControlRegistry {
  readonly #o: ControlRegistryOptions;
  readonly #watches = new Map<string, ServiceWatch>();

  constructor(o: ControlRegistryOptions) {
    this.#o = o;
  }

  resolver(service: string): Resolver {
    let watch = this.#watches.get(service);
    if (!watch) this.#watches.set(service, (watch = new ServiceWatch(service, this.#o)));
    watch.users++;
    const w = watch;
    let closed = false;
    const unsubscribes = new Set<() => void>();
    return {
      subscribe: (listener) => {
        const un = w.publisher.subscribe(listener);
        unsubscribes.add(un);
        return () => {
          unsubscribes.delete(un);
          un();
        };
      },
      current: () => w.publisher.current(),
      ready: () => w.publisher.ready(),
      close: () => {
        if (closed) return;
        closed = true;
        for (const un of unsubscribes) un();
        if (--w.users === 0) {
          w.stop();
          this.#watches.delete(service);
        }
      },
    };
  }

  close(): void {
    for (const w of this.#watches.values()) w.stop();
    this.#watches.clear();
  }
}

class ServiceWatch {
  users = 0;
  readonly publisher: EndpointPublisher;
  readonly #service: string;
  readonly #o: ControlRegistryOptions;
  readonly #watch: BlockingWatch<readonly RegisteredInstance[]>;
  readonly #cached: CachedInstances | undefined;
  readonly #startTimer: unknown;
  #answered = false;
  #fromCache = false;
  #stopped = false;

  constructor(service: string, o: ControlRegistryOptions) {
    this.#service = service;
    this.#o = o;
    this.publisher = new EndpointPublisher(o.log);
    this.#cached = o.cache?.read(cacheEntry(service), isCachedInstances);
    this.#watch = new BlockingWatch({
      client: o.client,
      feed: 'registry',
      path: ControlPaths.service(service),
      parse: (answer) => parseInstances(service, answer),
      onValue: (instances, version) => this.#answer(instances, version),
      random: o.random,
      log: o.log,
      ...(o.waitMs !== undefined && { waitMs: o.waitMs }),
    });
    void this.#watch.first().then((answered) => {
      if (!answered) this.#serveCache('the control daemon did not answer');
    });
    this.#startTimer = o.clock.setTimeout(() => this.#serveCache(`no answer from the control daemon within ${o.startupBoundMs ?? STARTUP_BOUND_MS} ms`), o.startupBoundMs ?? STARTUP_BOUND_MS);
  }

  stop(): void {
    this.#stopped = true;
    this.#o.clock.clearTimeout(this.#startTimer);
    this.#watch.stop();
    this.publisher.clear();
  }

  #answer(instances: readonly RegisteredInstance[], version: number): void {
    this.#answered = true;
    this.#o.clock.clearTimeout(this.#startTimer);
    if (this.#fromCache) this.#o.log.info('discovery: the control daemon answered; leaving the cached endpoints', { service: this.#service, version });
    this.#fromCache = false;
    this.publisher.publish(toEndpoints(instances, this.#o.log));
    this.#o.cache?.write(cacheEntry(this.#service), { version, instances } satisfies CachedInstances);
  }

  #serveCache(why: string): void {
    this.#o.clock.clearTimeout(this.#startTimer);
    if (this.#stopped || this.#answered || this.#fromCache || this.publisher.current() !== undefined) return;
    if (!this.#cached) {
      // Nothing to serve: calls fail fast with MESH_ERR_NO_ENDPOINTS rather than mesh.ready() hanging.
      this.publisher.settle();
      return;
    }
    this.#fromCache = true;
    this.#o.log.info('discovery: starting from the cached endpoints of the control registry', { service: this.#service, version: this.#cached.version, endpoints: this.#cached.instances.length, why });
    this.publisher.publish(toEndpoints(this.#cached.instances, this.#o.log));
  }
}

function cacheEntry(service: string): string {
  return `endpoints-${service}`;
}

function parseInstances(service: string, answer: ControlAnswer): { value: readonly RegisteredInstance[]; version: number } {
  // The daemon knows no such service: it has no instances now (an answer, not a failure).
  if (answer.status === 404) return { value: [], version: answer.version ?? 0 };
  if (answer.status !== 200) throw new Error(`the registry answered ${answer.status} for ${service}: ${errorMessage(answer.body)}`);
  const body = answer.body as Partial<ServiceInstancesBody> | undefined;
  if (!body || !Array.isArray(body.instances) || typeof body.version !== 'number') throw new Error(`the registry's answer for ${service} is not a set of instances`);
  return { value: body.instances, version: body.version };
}

function toEndpoints(instances: readonly RegisteredInstance[], log: Logger): EndpointSpec[] {
  const out = new Map<string, EndpointSpec>();
  for (const i of instances) {
    const hp = typeof i?.address === 'string' ? parseHostPort(i.address) : { error: 'no address' };
    if ('error' in hp) {
      log.warn('discovery: the registry listed an instance with a bad address; skipping it', { address: i?.address, error: hp.error });
      continue;
    }
    const labels = i.labels !== null && typeof i.labels === 'object' ? Object.freeze(Object.fromEntries(Object.entries(i.labels).filter(([, v]) => typeof v === 'string'))) : {};
    out.set(i.address, Object.freeze({ address: i.address, host: hp.host, port: hp.port, labels, weight: 1 }));
  }
  return [...out.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function isCachedInstances(v: unknown): v is CachedInstances {
  const c = v as Partial<CachedInstances> | null;
  return c !== null && typeof c === 'object' && typeof c.version === 'number' && Array.isArray(c.instances) && c.instances.every((i) => i !== null && typeof i === 'object' && typeof i.address === 'string');
}

function errorMessage(body: unknown): string {
  const e = (body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof e?.message === 'string' ? e.message.slice(0, 300) : 'no message';
}
