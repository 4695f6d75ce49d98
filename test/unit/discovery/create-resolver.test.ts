import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/index.js';
import { createResolver } from '../../../src/discovery/create-resolver.js';
import type { EndpointSpec } from '../../../src/config/types.js';
import { FakeDnsLookup } from '../../helpers/fake-dns-lookup.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

const env = () => ({ clock: new FakeClock(), log: new RecordingLogger(), lookup: new FakeDnsLookup() });

describe('createResolver', () => {
  it('makes a static resolver for static endpoints', async () => {
    const endpoints: EndpointSpec[] = [{ address: '127.0.0.1:1', host: '127.0.0.1', port: 1, labels: {}, weight: 1 }];
    const r = createResolver({ kind: 'static', endpoints }, env(), 'orders');
    await r.ready();
    expect(r.current()).toEqual(endpoints);
  });

  it('makes a DNS resolver that uses the given lookup', async () => {
    const e = env();
    e.lookup.a.set('orders.test', [{ address: '10.1.1.1', ttl: 30 }]);
    const r = createResolver({ kind: 'dns', name: 'orders.test', type: 'A', port: 80, interval: 10_000, labels: {} }, e, 'orders');
    await r.ready();
    expect(r.current()?.map((s) => s.address)).toEqual(['10.1.1.1:80']);
    r.close();
  });

  it('answers `control` with an empty set and one warning in an environment without a control registry', async () => {
    const e = env();
    const r = createResolver({ kind: 'control' }, e, 'orders');
    await r.ready();
    const seen: (readonly EndpointSpec[])[] = [];
    r.subscribe((s) => seen.push(s));
    expect(seen).toEqual([[]]);
    expect(e.log.at('warn')).toHaveLength(1);
    expect(e.log.at('warn')[0]!.msg).toMatch(/no control registry/);
    r.close();
  });
});
