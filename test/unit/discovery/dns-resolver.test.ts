import { afterEach, describe, expect, it } from 'vitest';
import { ConfigValidationError, FakeClock } from '../../../src/core/index.js';
import { DNS_MIN_REFRESH_MS, dnsResolver, type DnsDiscoveryConfig } from '../../../src/discovery/dns-resolver.js';
import type { Resolver } from '../../../src/discovery/resolver.js';
import type { EndpointSpec } from '../../../src/config/types.js';
import { FakeDnsLookup } from '../../helpers/fake-dns-lookup.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

const NAME = 'orders.shop.svc.cluster.local';
const SRV = '_http._tcp.orders.shop.svc.cluster.local';

/** Lets the resolver's promise chain run to its end; the fake lookup never touches the network. */
const settle = () => new Promise<void>((r) => setImmediate(r));

const resolvers: Resolver[] = [];
afterEach(() => {
  for (const r of resolvers.splice(0)) r.close();
});

function setup(patch: Partial<DnsDiscoveryConfig> = {}) {
  const clock = new FakeClock();
  const lookup = new FakeDnsLookup();
  const log = new RecordingLogger();
  const cfg: DnsDiscoveryConfig = { kind: 'dns', name: NAME, port: 8080, type: 'A', interval: 30_000, labels: { zone: 'a' }, ...patch };
  const published: (readonly EndpointSpec[])[] = [];
  const start = () => {
    const resolver = dnsResolver(cfg, { clock, log, lookup });
    resolvers.push(resolver);
    resolver.subscribe((eps) => published.push(eps));
    return resolver;
  };
  return { clock, lookup, log, cfg, published, start };
}

const addresses = (eps: readonly EndpointSpec[] | undefined) => eps?.map((e) => e.address);

describe('dnsResolver with A/AAAA records', () => {
  it('publishes one endpoint per address, sorted, with the configured port and labels and weight 1', async () => {
    const { lookup, published, start } = setup();
    lookup.a.set(NAME, [
      { address: '10.0.0.2', ttl: 30 },
      { address: '10.0.0.1', ttl: 30 },
    ]);
    const r = start();
    await r.ready();
    expect(r.current()).toEqual([
      { address: '10.0.0.1:8080', host: '10.0.0.1', port: 8080, labels: { zone: 'a' }, weight: 1 },
      { address: '10.0.0.2:8080', host: '10.0.0.2', port: 8080, labels: { zone: 'a' }, weight: 1 },
    ]);
    expect(Object.isFrozen(r.current())).toBe(true);
    expect(published).toEqual([r.current()]);
  });

  it('brackets IPv6 addresses, and ANY asks for both A and AAAA', async () => {
    const { lookup, start } = setup({ type: 'ANY' });
    lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 30 }]);
    lookup.aaaa.set(NAME, [{ address: 'fd00::1', ttl: 30 }]);
    const r = start();
    await r.ready();
    expect(r.current()).toContainEqual({ address: '[fd00::1]:8080', host: 'fd00::1', port: 8080, labels: { zone: 'a' }, weight: 1 });
    expect(addresses(r.current())).toEqual(['10.0.0.1:8080', '[fd00::1]:8080']);
    expect(lookup.calls).toEqual([`A ${NAME}`, `AAAA ${NAME}`]);
  });

  it('AAAA asks for IPv6 only', async () => {
    const { lookup, start } = setup({ type: 'AAAA' });
    lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 30 }]);
    lookup.aaaa.set(NAME, [{ address: 'fd00::2', ttl: 30 }]);
    const r = start();
    await r.ready();
    expect(addresses(r.current())).toEqual(['[fd00::2]:8080']);
  });

  it('re-resolves after the shortest record TTL when it is below the interval', async () => {
    const { clock, lookup, start } = setup();
    lookup.a.set(NAME, [
      { address: '10.0.0.1', ttl: 20 },
      { address: '10.0.0.2', ttl: 5 },
    ]);
    start();
    await settle();
    expect(lookup.count('A', NAME)).toBe(1);
    clock.advance(4_999);
    await settle();
    expect(lookup.count('A', NAME)).toBe(1);
    clock.advance(1);
    await settle();
    expect(lookup.count('A', NAME)).toBe(2);
    clock.advance(5_000);
    await settle();
    expect(lookup.count('A', NAME)).toBe(3);
  });

  it('re-resolves after the interval when it is below the TTL, and never sooner than the floor', async () => {
    const slow = setup({ interval: 2_000 });
    slow.lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 3600 }]);
    slow.start();
    await settle();
    slow.clock.advance(1_999);
    await settle();
    expect(slow.lookup.count('A', NAME)).toBe(1);
    slow.clock.advance(1);
    await settle();
    expect(slow.lookup.count('A', NAME)).toBe(2);

    const zero = setup();
    zero.lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 0 }]);
    zero.start();
    await settle();
    zero.clock.advance(DNS_MIN_REFRESH_MS - 1);
    await settle();
    expect(zero.lookup.count('A', NAME)).toBe(1);
    zero.clock.advance(1);
    await settle();
    expect(zero.lookup.count('A', NAME)).toBe(2);
  });

  it('publishes only when the set changed, not when the same records come back in another order', async () => {
    const { clock, lookup, published, start } = setup();
    lookup.a.set(NAME, [
      { address: '10.0.0.1', ttl: 5 },
      { address: '10.0.0.2', ttl: 5 },
    ]);
    const r = start();
    await settle();
    lookup.a.set(NAME, [
      { address: '10.0.0.2', ttl: 5 },
      { address: '10.0.0.1', ttl: 5 },
    ]);
    clock.advance(5_000);
    await settle();
    expect(lookup.count('A', NAME)).toBe(2);
    expect(published).toHaveLength(1);

    lookup.a.set(NAME, [
      { address: '10.0.0.2', ttl: 5 },
      { address: '10.0.0.3', ttl: 5 },
    ]);
    clock.advance(5_000);
    await settle();
    expect(published).toHaveLength(2);
    expect(addresses(published[1])).toEqual(['10.0.0.2:8080', '10.0.0.3:8080']);
    expect(r.current()).toBe(published[1]);
  });

  it('keeps the last good set when a lookup fails, retries with backoff, then picks up the new answer', async () => {
    const { clock, lookup, log, published, start } = setup({ interval: 60_000 });
    lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 30 }]);
    const r = start();
    await settle();
    const good = r.current();

    lookup.fail('ETIMEOUT');
    clock.advance(30_000);
    await settle();
    expect(lookup.count('A', NAME)).toBe(2);
    expect(r.current()).toBe(good);
    expect(published).toHaveLength(1);
    expect(log.at('warn')).toHaveLength(1);
    expect(log.at('warn')[0]!.fields).toMatchObject({ name: NAME, error: expect.stringContaining('ETIMEOUT'), retryInMs: 1_000 });

    // Retries come sooner than the TTL, backing off 1 s, 2 s, 4 s.
    clock.advance(1_000);
    await settle();
    expect(lookup.count('A', NAME)).toBe(3);
    clock.advance(1_999);
    await settle();
    expect(lookup.count('A', NAME)).toBe(3);
    clock.advance(1);
    await settle();
    expect(lookup.count('A', NAME)).toBe(4);
    expect(log.at('warn').map((e) => e.fields?.['retryInMs'])).toEqual([1_000, 2_000, 4_000]);
    expect(r.current()).toBe(good);

    lookup.recover();
    lookup.a.set(NAME, [{ address: '10.0.0.9', ttl: 30 }]);
    clock.advance(4_000);
    await settle();
    expect(addresses(r.current())).toEqual(['10.0.0.9:8080']);
    expect(published).toHaveLength(2);
    expect(log.at('info')).toHaveLength(1);
    // Back on the TTL after recovery.
    clock.advance(29_999);
    await settle();
    expect(lookup.count('A', NAME)).toBe(5);
    clock.advance(1);
    await settle();
    expect(lookup.count('A', NAME)).toBe(6);
  });

  it('caps the backoff at the interval', async () => {
    const { clock, lookup, log, start } = setup({ interval: 3_000 });
    lookup.fail('ESERVFAIL');
    start();
    for (let i = 0; i < 4; i++) {
      await settle();
      clock.advance(3_000);
    }
    await settle();
    expect(log.at('warn').map((e) => e.fields?.['retryInMs'])).toEqual([1_000, 2_000, 3_000, 3_000, 3_000]);
  });

  it('is ready after a failed first lookup, with no set, and publishes the first success', async () => {
    const { clock, lookup, published, start } = setup();
    lookup.fail();
    const r = start();
    await r.ready();
    expect(r.current()).toBeUndefined();
    expect(published).toEqual([]);
    lookup.recover();
    lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 30 }]);
    clock.advance(1_000);
    await settle();
    expect(addresses(r.current())).toEqual(['10.0.0.1:8080']);
  });

  it('takes NXDOMAIN as an answer: the name has no endpoints now', async () => {
    const { clock, lookup, published, start } = setup();
    lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 5 }]);
    const r = start();
    await settle();
    lookup.a.delete(NAME);
    clock.advance(5_000);
    await settle();
    expect(r.current()).toEqual([]);
    expect(published).toHaveLength(2);
  });

  it('stops looking up on close, and drops an answer that arrives after it', async () => {
    const { clock, lookup, published, start } = setup();
    lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 5 }]);
    const release = lookup.hold();
    const r = start();
    r.close();
    release();
    await settle();
    expect(published).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(60_000);
    await settle();
    expect(lookup.calls).toHaveLength(1);
    r.close(); // idempotent
  });

  it('clears its timer on close', async () => {
    const { clock, lookup, start } = setup();
    lookup.a.set(NAME, [{ address: '10.0.0.1', ttl: 5 }]);
    const r = start();
    await settle();
    expect(clock.pendingTimers).toBe(1);
    r.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses A records without a port, and a non-positive interval', () => {
    const clock = new FakeClock();
    const env = { clock, log: new RecordingLogger(), lookup: new FakeDnsLookup() };
    const base: DnsDiscoveryConfig = { kind: 'dns', name: NAME, port: undefined, type: 'A', interval: 1_000, labels: {} };
    expect(() => dnsResolver(base, env)).toThrow(ConfigValidationError);
    expect(() => dnsResolver({ ...base, port: 80, interval: 0 }, env)).toThrow(/interval/);
    expect(() => dnsResolver({ ...base, type: 'SRV', name: SRV }, env).close()).not.toThrow();
  });
});

describe('dnsResolver with SRV records', () => {
  it('takes port and weight from the records and resolves each target to its addresses', async () => {
    const { lookup, start } = setup({ type: 'SRV', name: SRV, port: undefined });
    lookup.srv.set(SRV, [
      { name: 'pod-0.orders', port: 8080, weight: 10, priority: 0 },
      { name: 'pod-1.orders', port: 9090, weight: 30, priority: 0 },
      { name: 'pod-2.orders', port: 8080, weight: 0, priority: 0 },
      { name: '10.0.0.7', port: 7000, weight: 5, priority: 0 },
      { name: 'gone.orders', port: 8080, weight: 10, priority: 0 },
    ]);
    lookup.a.set('pod-0.orders', [{ address: '10.0.0.1', ttl: 30 }]);
    lookup.a.set('pod-1.orders', [{ address: '10.0.0.2', ttl: 30 }]);
    lookup.aaaa.set('pod-2.orders', [{ address: 'fd00::3', ttl: 30 }]);
    const r = start();
    await r.ready();
    expect(r.current()!.map((e) => [e.address, e.weight])).toEqual([
      ['10.0.0.1:8080', 10],
      ['10.0.0.2:9090', 30],
      ['10.0.0.7:7000', 5],
      ['[fd00::3]:8080', 1], // weight 0 still gets a little traffic
    ]);
    expect(r.current()![0]!.labels).toEqual({ zone: 'a' });
    // A dual-stack target counts once: IPv6 is asked only where there is no IPv4.
    expect(lookup.count('AAAA', 'pod-0.orders')).toBe(0);
  });

  it('follows a headless service as pods come and go, re-resolving on the target TTL', async () => {
    const { clock, lookup, published, start } = setup({ type: 'SRV', name: SRV, port: undefined, interval: 30_000 });
    lookup.srv.set(SRV, [{ name: 'pod-0.orders', port: 80, weight: 1, priority: 0 }]);
    lookup.a.set('pod-0.orders', [{ address: '10.0.0.1', ttl: 5 }]);
    const r = start();
    await settle();
    lookup.srv.set(SRV, [
      { name: 'pod-0.orders', port: 80, weight: 1, priority: 0 },
      { name: 'pod-1.orders', port: 80, weight: 1, priority: 0 },
    ]);
    lookup.a.set('pod-1.orders', [{ address: '10.0.0.2', ttl: 5 }]);
    clock.advance(5_000);
    await settle();
    expect(addresses(r.current())).toEqual(['10.0.0.1:80', '10.0.0.2:80']);
    expect(published).toHaveLength(2);
  });

  it('treats a failed target lookup as a failed round and keeps the last set', async () => {
    const { clock, lookup, start } = setup({ type: 'SRV', name: SRV, port: undefined, interval: 5_000 });
    lookup.srv.set(SRV, [{ name: 'pod-0.orders', port: 80, weight: 1, priority: 0 }]);
    lookup.a.set('pod-0.orders', [{ address: '10.0.0.1', ttl: 60 }]);
    const r = start();
    await settle();
    const good = r.current();
    lookup.fail('ECONNREFUSED');
    clock.advance(5_000);
    await settle();
    expect(r.current()).toBe(good);
  });

  it('looks up a target named by several records once per round', async () => {
    const { lookup, start } = setup({ type: 'SRV', name: SRV, port: undefined });
    lookup.srv.set(SRV, [
      { name: 'pod-0.orders', port: 80, weight: 1, priority: 0 },
      { name: 'pod-0.orders', port: 81, weight: 1, priority: 0 },
    ]);
    lookup.a.set('pod-0.orders', [{ address: '10.0.0.1', ttl: 60 }]);
    const r = start();
    await r.ready();
    expect(addresses(r.current())).toEqual(['10.0.0.1:80', '10.0.0.1:81']);
    expect(lookup.count('A', 'pod-0.orders')).toBe(1);
  });
});
