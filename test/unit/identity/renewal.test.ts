import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/index.js';
import { keepRenewed, renewalDelay, WorkloadIdentity, type Credentials } from '../../../src/identity/index.js';
import { opensslCa } from '../../helpers/openssl-pki.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

const ca = opensslCa();
afterAll(() => ca.remove());
const T0 = Date.parse('2030-01-01T00:00:00Z');
const DAY = 86_400_000;
function creds(notBefore: string, notAfter: string): Credentials {
  const l = ca.leaf(`w-${notBefore}`, { uris: ['spiffe://shop.local/svc/orders'], notBefore, notAfter });
  return { certPem: l.certPem, keyPem: l.keyPem, bundlePem: ca.certPem };
}
// 2030-01-01 .. 2030-01-03: a two-day certificate, due for renewal around day 1.
const first = creds('20300101000000Z', '20300103000000Z');
const second = creds('20300102000000Z', '20300104000000Z');

describe('renewalDelay', () => {
  it('is half the life left, give or take a tenth', () => {
    expect(renewalDelay(T0 + 2 * DAY, T0, () => 0.5)).toBe(DAY);
    expect(renewalDelay(T0 + 2 * DAY, T0, () => 0)).toBe(0.8 * DAY);
    expect(renewalDelay(T0 + 2 * DAY, T0, () => 0.999999)).toBeCloseTo(1.2 * DAY, -3);
    expect(renewalDelay(T0 + 2 * DAY, T0 + 3 * DAY, () => 0.5)).toBe(0);
  });

  it('a certificate backdated for clock skew still renews at half of what is left, not at once', () => {
    // Two seconds asked for, notBefore a minute back: half of notBefore..notAfter is long past.
    expect(renewalDelay(T0 + 2000, T0, () => 0.5)).toBe(1000);
  });
});

describe('keepRenewed', () => {
  it('swaps in new credentials at half-life, retries a failure with backoff, and keeps the old ones meanwhile', async () => {
    const clock = new FakeClock();
    const identity = new WorkloadIdentity('shop.local', 'orders', first);
    let wall = T0;
    const results: string[] = [];
    let fail = 2;
    const stop = keepRenewed({
      identity,
      clock,
      random: () => 0.5,
      wallNow: () => wall,
      log: new RecordingLogger(),
      onResult: (r) => results.push(r),
      renew: async () => {
        if (fail-- > 0) throw new Error('control daemon away');
        return second;
      },
    });
    const step = async (ms: number) => {
      wall += ms;
      clock.advance(ms);
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    await step(DAY - 1);
    expect(results).toEqual([]);
    await step(1);
    expect(results).toEqual(['failed']);
    expect(identity.notAfter).toBe(Date.parse('2030-01-03T00:00:00Z'));
    await step(1000);
    expect(results).toEqual(['failed', 'failed']);
    await step(1999);
    expect(results).toEqual(['failed', 'failed']);
    await step(1);
    expect(results).toEqual(['failed', 'failed', 'renewed']);
    expect(identity.notAfter).toBe(Date.parse('2030-01-04T00:00:00Z'));
    stop();
  });

  it('refuses renewed credentials that do not check out, and retries', async () => {
    const clock = new FakeClock();
    const identity = new WorkloadIdentity('shop.local', 'orders', first);
    const results: string[] = [];
    const stop = keepRenewed({ identity, clock, random: () => 0.5, wallNow: () => T0 + 2 * DAY, log: new RecordingLogger(), onResult: (r) => results.push(r), renew: async () => ({ ...second, keyPem: first.keyPem }) });
    clock.advance(0);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(results).toEqual(['failed']);
    expect(identity.credentials).toBe(first);
    stop();
  });
});
