import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../../src/core/index.js';
import { dnsResolver, systemDnsLookup, type DnsDiscoveryConfig } from '../../../src/discovery/dns-resolver.js';
import type { Resolver } from '../../../src/discovery/resolver.js';
import type { EndpointSpec } from '../../../src/config/types.js';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

/**
 * The resolver against a real DNS server on 127.0.0.1 through node's own c-ares resolver:
 * proves the wire format, `servers` and SRV-then-target resolution, not just our fake.
 * Records carry TTL 0 so c-ares' own cache never answers for the server.
 */
let dns: TestDnsServer;
beforeAll(async () => {
  dns = await startDnsServer({
    'orders.test': [
      { type: 'A', address: '127.0.0.11' },
      { type: 'A', address: '127.0.0.12' },
    ],
    '_http._tcp.orders.test': [
      { type: 'SRV', target: 'pod-0.orders.test', port: 8080, weight: 10 },
      { type: 'SRV', target: 'pod-1.orders.test', port: 8081, weight: 30 },
    ],
    'pod-0.orders.test': [{ type: 'A', address: '127.0.0.21' }],
    'pod-1.orders.test': [{ type: 'A', address: '127.0.0.22' }],
    'v6.test': [{ type: 'AAAA', address: 'fd00::1:2' }],
  });
});
afterAll(() => dns.close());

function start(patch: Partial<DnsDiscoveryConfig>) {
  const clock = new FakeClock();
  const log = new RecordingLogger();
  const cfg: DnsDiscoveryConfig = { kind: 'dns', name: 'orders.test', type: 'A', port: 9000, interval: 5_000, labels: {}, ...patch };
  const resolver = dnsResolver(cfg, { clock, log, servers: [dns.server] });
  return { clock, log, resolver };
}

/** Resolves with the next set the resolver publishes after this call. */
function nextSet(r: Resolver): Promise<readonly EndpointSpec[]> {
  return new Promise((resolve) => {
    let first = r.current() !== undefined; // subscribe replays the current set: skip it
    const stop = r.subscribe((eps) => {
      if (first) {
        first = false;
        return;
      }
      stop();
      resolve(eps);
    });
  });
}

describe('dnsResolver against a DNS server on loopback', () => {
  it('systemDnsLookup asks the given server', async () => {
    const records = await systemDnsLookup([dns.server]).resolve4('orders.test', { ttl: true });
    expect(records.map((r) => r.address).sort()).toEqual(['127.0.0.11', '127.0.0.12']);
    expect(dns.queries).toContain('A orders.test');
  });

  it('resolves A records, and picks up a change on the next round', async () => {
    const { clock, resolver } = start({});
    try {
      await resolver.ready();
      expect(resolver.current()?.map((e) => e.address)).toEqual(['127.0.0.11:9000', '127.0.0.12:9000']);
      dns.set('orders.test', [{ type: 'A', address: '127.0.0.13' }]);
      const next = nextSet(resolver);
      clock.advance(1_000); // TTL 0 → the 1 s floor
      expect((await next).map((e) => e.address)).toEqual(['127.0.0.13:9000']);
    } finally {
      resolver.close();
    }
  });

  it('resolves SRV records to their targets, with ports and weights, and follows a new pod', async () => {
    const { clock, resolver } = start({ name: '_http._tcp.orders.test', type: 'SRV', port: undefined });
    try {
      await resolver.ready();
      expect(resolver.current()?.map((e) => [e.address, e.weight])).toEqual([
        ['127.0.0.21:8080', 10],
        ['127.0.0.22:8081', 30],
      ]);
      dns.set('pod-2.orders.test', [{ type: 'A', address: '127.0.0.23' }]);
      dns.set('_http._tcp.orders.test', [
        { type: 'SRV', target: 'pod-1.orders.test', port: 8081, weight: 30 },
        { type: 'SRV', target: 'pod-2.orders.test', port: 8082, weight: 20 },
      ]);
      const next = nextSet(resolver);
      clock.advance(1_000);
      expect((await next).map((e) => [e.address, e.weight])).toEqual([
        ['127.0.0.22:8081', 30],
        ['127.0.0.23:8082', 20],
      ]);
    } finally {
      resolver.close();
    }
  });

  it('resolves AAAA records', async () => {
    const { resolver } = start({ name: 'v6.test', type: 'AAAA', port: 443 });
    try {
      await resolver.ready();
      expect(resolver.current()?.map((e) => e.address)).toEqual(['[fd00::1:2]:443']);
    } finally {
      resolver.close();
    }
  });

  it('keeps the last set through SERVFAIL and logs it', async () => {
    dns.set('flaky.test', [{ type: 'A', address: '127.0.0.31' }]);
    const { clock, log, resolver } = start({ name: 'flaky.test' });
    try {
      await resolver.ready();
      const good = resolver.current();
      expect(good?.map((e) => e.address)).toEqual(['127.0.0.31:9000']);
      dns.set('flaky.test', 'SERVFAIL');
      clock.advance(1_000);
      await vi.waitFor(() => expect(log.at('warn')).toHaveLength(1));
      expect(log.at('warn')[0]!.fields?.['error']).toMatch(/ESERVFAIL/);
      expect(resolver.current()).toBe(good);
    } finally {
      resolver.close();
    }
  });
});
