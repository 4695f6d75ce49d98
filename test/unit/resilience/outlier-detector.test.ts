import { describe, expect, it } from 'vitest';
import { FakeClock, MeshError, TransportError, createCallContext, PerTryTimeoutError } from '../../../src/core/index.js';
import type { OutlierDetectionConfig } from '../../../src/config/types.js';
import { OutlierDetector, outcomeOfError, outlierTap } from '../../../src/resilience/outlier-detector.js';

const base: OutlierDetectionConfig = {
  consecutive5xx: 5,
  consecutiveConnectFailures: 3,
  interval: 10_000,
  baseEjectionTime: 30_000,
  maxEjectionPercent: 50,
  successRateStdevFactor: 1.9,
  successRateMinimumHosts: 5,
  successRateRequestVolume: 100,
};

function setup(cfg: Partial<OutlierDetectionConfig> = {}, hosts = ['a', 'b', 'c', 'd']) {
  const clock = new FakeClock();
  const od = new OutlierDetector({ ...base, ...cfg }, { clock });
  od.setHosts(hosts);
  const events: string[] = [];
  od.onChange((host, ejected) => events.push(`${host}:${ejected ? 'out' : 'in'}@${clock.now()}`));
  return { clock, od, events };
}

const fail = (od: OutlierDetector, host: string, n: number, outcome: 'failure' | 'connect-failure' = 'failure') => {
  for (let i = 0; i < n; i++) od.record(host, outcome);
};

describe('OutlierDetector', () => {
  it('ejects after consecutive5xx failures in a row; a success resets the count', () => {
    const { od, events } = setup();
    fail(od, 'a', 4);
    od.record('a', 'success');
    fail(od, 'a', 4);
    expect(od.isEjected('a')).toBe(false);
    od.record('a', 'failure');
    expect(od.isEjected('a')).toBe(true);
    expect(events).toEqual(['a:out@0']);
    expect(od.ejectedHosts()).toEqual(['a']);
    od.close();
  });

  it('ejects after consecutiveConnectFailures; an answered failure breaks that run', () => {
    const { od } = setup();
    fail(od, 'b', 2, 'connect-failure');
    od.record('b', 'failure');
    fail(od, 'b', 1, 'connect-failure');
    expect(od.isEjected('b')).toBe(false); // 4 failures in a row, but not 3 connect failures
    fail(od, 'b', 1, 'connect-failure'); // 5 in a row
    expect(od.isEjected('b')).toBe(true);
    const { od: od2 } = setup();
    fail(od2, 'c', 3, 'connect-failure');
    expect(od2.isEjected('c')).toBe(true);
    od.close();
    od2.close();
  });

  it('returns a host after the ejection time, and ejects it for longer each time', () => {
    const { clock, od, events } = setup();
    fail(od, 'a', 5);
    clock.advance(29_999);
    expect(od.isEjected('a')).toBe(true);
    clock.advance(1);
    expect(od.isEjected('a')).toBe(false);
    fail(od, 'a', 5); // at 30 s
    clock.advance(59_999);
    expect(od.isEjected('a')).toBe(true);
    clock.advance(1);
    expect(od.isEjected('a')).toBe(false);
    fail(od, 'a', 5); // at 90 s: third time, 90 s
    clock.advance(90_000);
    expect(events).toEqual(['a:out@0', 'a:in@30000', 'a:out@30000', 'a:in@90000', 'a:out@90000', 'a:in@180000']);
    od.close();
  });

  it('caps the ejection time at 10 × base', () => {
    const { clock, od } = setup();
    for (let i = 0; i < 12; i++) {
      fail(od, 'a', 5);
      clock.advance(Math.min(i + 1, 10) * 30_000);
      expect(od.isEjected('a')).toBe(false);
    }
    od.close();
  });

  it('shortens the next ejection again after the host stays healthy', () => {
    const { clock, od, events } = setup();
    fail(od, 'a', 5);
    clock.advance(30_000);
    clock.advance(20_000); // two healthy intervals: the multiplier goes back to 0
    fail(od, 'a', 5);
    const at = clock.now();
    clock.advance(30_000);
    expect(events.slice(-2)).toEqual([`a:out@${at}`, `a:in@${at + 30_000}`]);
    od.close();
  });

  it('never ejects more than maxEjectionPercent of the hosts', () => {
    const hosts = Array.from({ length: 10 }, (_, i) => `h${i}`);
    const { od } = setup({ maxEjectionPercent: 20 }, hosts);
    for (const h of hosts) fail(od, h, 5);
    expect(od.ejectedHosts()).toEqual(['h0', 'h1']);
    od.close();
  });

  it('ejects at least one host whatever the percent, and always leaves one', () => {
    const { od } = setup({ maxEjectionPercent: 10 }, ['a', 'b', 'c', 'd']);
    fail(od, 'a', 5);
    fail(od, 'b', 5);
    expect(od.ejectedHosts()).toEqual(['a']);
    const { od: two } = setup({ maxEjectionPercent: 100 }, ['a', 'b']);
    fail(two, 'a', 5);
    fail(two, 'b', 5);
    expect(two.ejectedHosts()).toEqual(['a']);
    const { od: one } = setup({ maxEjectionPercent: 100 }, ['a']);
    fail(one, 'a', 50);
    expect(one.ejectedHosts()).toEqual([]);
    od.close();
    two.close();
    one.close();
  });

  it('ejects a host whose success rate is far below the others at the interval', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e'];
    const { clock, od, events } = setup({ consecutive5xx: 0, consecutiveConnectFailures: 0 }, hosts);
    for (const h of hosts) {
      for (let i = 0; i < 200; i++) od.record(h, h === 'e' && i % 2 === 0 ? 'failure' : i % 50 === 0 ? 'failure' : 'success');
    }
    expect(od.isEjected('e')).toBe(false); // only at the interval
    clock.advance(10_000);
    expect(od.ejectedHosts()).toEqual(['e']);
    expect(events).toEqual(['e:out@10000']);
    od.close();
  });

  it('skips the success-rate pass without enough hosts with enough calls', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e'];
    const { clock, od } = setup({ consecutive5xx: 0, consecutiveConnectFailures: 0 }, hosts);
    for (const h of hosts) {
      const n = h === 'd' ? 99 : 200; // d lacks volume: only 4 hosts qualify
      for (let i = 0; i < n; i++) od.record(h, h === 'e' && i % 2 === 0 ? 'failure' : 'success');
    }
    clock.advance(10_000);
    expect(od.ejectedHosts()).toEqual([]);
    od.close();
  });

  it('forgets removed hosts and ignores unknown ones', () => {
    const { clock, od } = setup();
    fail(od, 'a', 5);
    od.setHosts(['b', 'c', 'd', 'e']);
    expect(od.isEjected('a')).toBe(false);
    fail(od, 'zz', 10);
    expect(od.ejectedHosts()).toEqual([]);
    fail(od, 'e', 5);
    expect(od.ejectedHosts()).toEqual(['e']);
    od.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('feeds the detector from an endpoint tap', () => {
    const { od } = setup();
    const tap = outlierTap<string, { status: number }>(od, { host: 'a', classify: (r) => (r.status >= 500 ? 'failure' : 'success') });
    const ctx = createCallContext({ service: 'orders' });
    for (let i = 0; i < 2; i++) tap.response({ status: 503 }, ctx, 0, 1);
    tap.error(new MeshError('MESH_ERR_CANCELLED', 'caller gave up'), ctx, 0, 1); // ignored
    tap.error(new MeshError('MESH_ERR_CIRCUIT_OPEN', 'open', { rejected: true }), ctx, 0, 1); // ignored
    tap.error(new TransportError('reset', 'reset'), ctx, 0, 1);
    tap.error(new PerTryTimeoutError(), ctx, 0, 1);
    expect(od.isEjected('a')).toBe(false);
    tap.error(new TransportError('connect-failure', 'refused'), ctx, 0, 1);
    expect(od.isEjected('a')).toBe(true);
    od.close();
  });

  it('reads errors as outcomes', () => {
    const ctx = createCallContext({ service: 'orders' });
    expect(outcomeOfError(new TransportError('refused-stream', 'x'), ctx)).toBe('connect-failure');
    expect(outcomeOfError(new Error('parse error'), ctx)).toBe('failure');
    const cancelled = createCallContext({ service: 'orders' });
    const why = new Error('user abort');
    cancelled.cancellation.cancel(why);
    expect(outcomeOfError(why, cancelled)).toBeUndefined();
  });

  it('checks its options', () => {
    const clock = new FakeClock();
    expect(() => new OutlierDetector({ ...base, maxEjectionPercent: 101 }, { clock })).toThrow(RangeError);
    expect(() => new OutlierDetector({ ...base, consecutive5xx: 1.5 }, { clock })).toThrow(RangeError);
    expect(() => new OutlierDetector({ ...base, interval: 0 }, { clock })).toThrow(RangeError);
  });
});
