import { NODATA, NOTFOUND, promises as dnsPromises, type RecordWithTtl, type SrvRecord } from 'node:dns';
import { isIP } from 'node:net';
import { ConfigValidationError, type ConfigIssue, type TimerHandle } from '../core/index.js';
import type { DiscoveryConfig, EndpointSpec } from '../config/types.js';
import type { DiscoveryEnv, Resolver } from './resolver.js';
import { EndpointPublisher } from './endpoint-publisher.js';

export type DnsDiscoveryConfig = Extract<DiscoveryConfig, { kind: 'dns' }>;

/** The three lookups the resolver needs, shaped like `dns.promises.Resolver` so tests can pass a fake. */
export interface DnsLookup {
  resolve4(hostname: string, options: { ttl: true }): Promise<RecordWithTtl[]>;
  resolve6(hostname: string, options: { ttl: true }): Promise<RecordWithTtl[]>;
  resolveSrv(hostname: string): Promise<SrvRecord[]>;
}

export interface DnsResolverEnv extends DiscoveryEnv {
  /** Default: `systemDnsLookup(servers)`. */
  readonly lookup?: DnsLookup;
  /** Name servers (`'10.0.0.10'`, `'127.0.0.1:5353'`) for the default lookup; default: the system's. */
  readonly servers?: readonly string[];
}

/** No re-resolution sooner than this, whatever the TTL (a TTL of 0 would otherwise spin). */
export const DNS_MIN_REFRESH_MS = 1000;
/** setTimeout treats anything longer as 1 ms. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** SRV targets looked up at once: a headless service may have hundreds of pods. */
const TARGET_CONCURRENCY = 16;
const WITH_TTL = { ttl: true } as const;

/**
 * A `dns.promises.Resolver` of its own, so `setServers` does not change the process-wide resolver.
 *
 * @example
 * const lookup = systemDnsLookup(['127.0.0.1:5353']);
 */
export function systemDnsLookup(servers?: readonly string[]): DnsLookup {
  const resolver = new dnsPromises.Resolver();
  if (servers && servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}

/**
 * Discovers endpoints from DNS: A/AAAA records (with `cfg.port`) or SRV records (port and weight
 * from the record, targets resolved to addresses, as for Kubernetes headless services).
 * Re-resolves after min(record TTL, `cfg.interval`), keeps the last good set when a lookup fails,
 * and publishes only when the set changed.
 *
 * @example
 * const r = dnsResolver(
 *   { kind: 'dns', name: 'orders.shop.svc.cluster.local', type: 'A', port: 8080, interval: 30_000, labels: {} },
 *   { clock: systemClock, log },
 * );
 * await r.ready();
 */
export function dnsResolver(cfg: DnsDiscoveryConfig, env: DnsResolverEnv): Resolver {
  return new DnsResolver(cfg, env);
}

interface Answer {
  readonly endpoints: EndpointSpec[];
  /** The shortest TTL seen, in ms; Infinity when no record carried one (SRV, IP-literal targets). */
  readonly ttlMs: number;
}

class DnsResolver implements Resolver {
  readonly #cfg: DnsDiscoveryConfig;
  readonly #env: DnsResolverEnv;
  readonly #lookup: DnsLookup;
  readonly #publisher: EndpointPublisher;
  #timer: TimerHandle | undefined;
  #closed = false;
  #failures = 0;
  /** Sorted `address/weight` list of the published set, to publish only real changes. */
  #lastKey: string | undefined;

  constructor(cfg: DnsDiscoveryConfig, env: DnsResolverEnv) {
    checkConfig(cfg);
    this.#cfg = cfg;
    this.#env = env;
    this.#lookup = env.lookup ?? systemDnsLookup(env.servers);
    this.#publisher = new EndpointPublisher(env.log);
    void this.#refresh();
  }

  subscribe(listener: (endpoints: readonly EndpointSpec[]) => void): () => void {
    return this.#publisher.subscribe(listener);
  }

  current(): readonly EndpointSpec[] | undefined {
    return this.#publisher.current();
  }

  ready(): Promise<void> {
    return this.#publisher.ready();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#env.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#publisher.clear();
  }

  async #refresh(): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.#resolve();
    } catch (err) {
      if (this.#closed) return;
      this.#failures++;
      // Sooner than the normal interval, backing off so a dead name server is not hammered.
      const delay = clampDelay(Math.min(this.#cfg.interval, DNS_MIN_REFRESH_MS * 2 ** (this.#failures - 1)));
      this.#env.log.warn('discovery: DNS lookup failed, keeping the last endpoints', {
        name: this.#cfg.name,
        type: this.#cfg.type,
        error: errorText(err),
        failures: this.#failures,
        retryInMs: delay,
        keeping: this.#publisher.current()?.length,
      });
      this.#publisher.settle();
      this.#schedule(delay);
      return;
    }
    if (this.#closed) return;
    if (this.#failures > 0) this.#env.log.info('discovery: DNS lookup recovered', { name: this.#cfg.name, failures: this.#failures });
    this.#failures = 0;
    const endpoints = answer.endpoints.sort(byAddress);
    const key = endpoints.map((e) => `${e.address}/${e.weight}`).join(',');
    if (key !== this.#lastKey) {
      this.#lastKey = key;
      this.#env.log.debug('discovery: DNS endpoints changed', { name: this.#cfg.name, endpoints: endpoints.length });
      this.#publisher.publish(Object.freeze(endpoints));
    }
    this.#schedule(clampDelay(Math.min(this.#cfg.interval, answer.ttlMs)));
  }

  #schedule(ms: number): void {
    this.#timer = this.#env.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#refresh();
    }, ms);
  }

  async #resolve(): Promise<Answer> {
    const { name, type, labels } = this.#cfg;
    if (type === 'SRV') return this.#resolveSrv();
    const port = this.#cfg.port!;
    const records =
      type === 'A'
        ? await orEmpty(() => this.#lookup.resolve4(name, WITH_TTL))
        : type === 'AAAA'
          ? await orEmpty(() => this.#lookup.resolve6(name, WITH_TTL))
          : (await Promise.all([orEmpty(() => this.#lookup.resolve4(name, WITH_TTL)), orEmpty(() => this.#lookup.resolve6(name, WITH_TTL))])).flat();
    const endpoints = new Map<string, EndpointSpec>();
    for (const r of records) addEndpoint(endpoints, r.address, port, 1, labels);
    return { endpoints: [...endpoints.values()], ttlMs: minTtlMs(records) };
  }

  async #resolveSrv(): Promise<Answer> {
    const srv = await orEmpty(() => this.#lookup.resolveSrv(this.#cfg.name));
    const targets = [...new Set(srv.map((r) => r.name).filter((t) => isIP(t) === 0))];
    const addresses = new Map<string, RecordWithTtl[]>();
    await forEachLimit(targets, TARGET_CONCURRENCY, async (target) => {
      addresses.set(target, await this.#targetAddresses(target));
    });
    const endpoints = new Map<string, EndpointSpec>();
    let ttlMs = Infinity;
    for (const r of srv) {
      const records = isIP(r.name) !== 0 ? [{ address: r.name, ttl: Infinity }] : (addresses.get(r.name) ?? []);
      ttlMs = Math.min(ttlMs, minTtlMs(records));
      // SRV weight 0 means "rarely, when others exist" (RFC 2782); our balancers need a positive weight.
      for (const a of records) addEndpoint(endpoints, a.address, r.port, Math.max(1, r.weight), this.#cfg.labels);
    }
    return { endpoints: [...endpoints.values()], ttlMs };
  }

  /**
   * IPv4 first and IPv6 only when there is none: a dual-stack pod must count once, not twice.
   * A target with no address at all is a pod that has just gone; it is dropped, not an error.
   */
  async #targetAddresses(target: string): Promise<RecordWithTtl[]> {
    const v4 = await orEmpty(() => this.#lookup.resolve4(target, WITH_TTL));
    return v4.length > 0 ? v4 : orEmpty(() => this.#lookup.resolve6(target, WITH_TTL));
  }
}

function checkConfig(cfg: DnsDiscoveryConfig): void {
  const issues: ConfigIssue[] = [];
  if (!cfg.name) issues.push({ path: 'discovery.dns', message: 'a name to resolve is required' });
  if (cfg.type !== 'SRV' && (cfg.port === undefined || !Number.isInteger(cfg.port) || cfg.port < 1 || cfg.port > 65535))
    issues.push({ path: 'discovery.port', message: `${cfg.type} records carry no port: set a port between 1 and 65535` });
  if (!(cfg.interval > 0)) issues.push({ path: 'discovery.interval', message: 'must be a positive duration' });
  if (issues.length > 0) throw new ConfigValidationError(issues);
}

/**
 * NXDOMAIN and "no records of this type" are answers (the name has no endpoints now), as in
 * Envoy's c-ares resolver; only real failures (timeout, SERVFAIL, refused) keep the last set.
 */
async function orEmpty<T>(lookup: () => Promise<T[]>): Promise<T[]> {
  try {
    return await lookup();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === NODATA || code === NOTFOUND) return [];
    throw err;
  }
}

function addEndpoint(into: Map<string, EndpointSpec>, host: string, port: number, weight: number, labels: EndpointSpec['labels']): void {
  const address = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  if (!into.has(address)) into.set(address, Object.freeze({ address, host, port, labels, weight }));
}

function minTtlMs(records: readonly { ttl: number }[]): number {
  let min = Infinity;
  for (const r of records) min = Math.min(min, r.ttl * 1000);
  return min;
}

function clampDelay(ms: number): number {
  return Math.min(MAX_DELAY_MS, Math.max(DNS_MIN_REFRESH_MS, ms));
}

function byAddress(a: EndpointSpec, b: EndpointSpec): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  return typeof e?.code === 'string' ? `${e.code}: ${String(e.message)}` : String(err);
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
