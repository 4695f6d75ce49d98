import { describe, expect, it } from 'vitest';
import { DEFAULT_ADAPTIVE_CONCURRENCY, DEFAULT_INBOUND } from '../../../src/config/defaults.js';
import { inboundSettings } from '../../../src/server/inbound-options.js';

describe('inboundSettings', () => {
  it('takes the config when nothing is overridden', () => {
    expect(inboundSettings(DEFAULT_INBOUND)).toEqual({
      maxConcurrent: undefined,
      maxQueue: 0,
      rateLimit: undefined,
      adaptiveConcurrency: undefined,
      timeout: undefined,
      drainTimeout: 10_000,
    });
  });

  it('applies overrides, filling in burst and perCaller like mesh.yaml does', () => {
    const s = inboundSettings(DEFAULT_INBOUND, { maxConcurrent: 8, maxQueue: 4, rateLimit: { rps: 2.5 }, timeout: 300, adaptiveConcurrency: true });
    expect(s).toMatchObject({ maxConcurrent: 8, maxQueue: 4, rateLimit: { rps: 2.5, burst: 3, perCaller: false }, timeout: 300 });
    expect(s.adaptiveConcurrency).toEqual(DEFAULT_ADAPTIVE_CONCURRENCY);
  });

  it('turns off configured limits with false', () => {
    const cfg = { ...DEFAULT_INBOUND, rateLimit: { rps: 5, burst: 5, perCaller: true }, adaptiveConcurrency: DEFAULT_ADAPTIVE_CONCURRENCY };
    const s = inboundSettings(cfg, { rateLimit: false, adaptiveConcurrency: false });
    expect([s.rateLimit, s.adaptiveConcurrency]).toEqual([undefined, undefined]);
  });

  it('names the option that is wrong', () => {
    expect(() => inboundSettings(DEFAULT_INBOUND, { maxConcurrent: 0 })).toThrow(/maxConcurrent/);
    expect(() => inboundSettings(DEFAULT_INBOUND, { maxQueue: 1.5 })).toThrow(/maxQueue/);
    expect(() => inboundSettings(DEFAULT_INBOUND, { rateLimit: { rps: -1 } })).toThrow(/rateLimit.rps/);
    expect(() => inboundSettings(DEFAULT_INBOUND, { adaptiveConcurrency: { minLimit: 50, initialLimit: 10 } })).toThrow(/minLimit/);
    expect(() => inboundSettings(DEFAULT_INBOUND, { timeout: 0 })).toThrow(/timeout/);
    // Longer than a Node timer holds: the timer would fire after 1 ms.
    expect(() => inboundSettings(DEFAULT_INBOUND, { timeout: 2 ** 31 })).toThrow(/timeout must be above 0 ms and at most/);
    expect(() => inboundSettings(DEFAULT_INBOUND, { drainTimeout: 2 ** 31 })).toThrow(/drainTimeout must be from 0 to/);
    expect(inboundSettings({ ...DEFAULT_INBOUND, timeout: 2 ** 40, drainTimeout: 2 ** 40 })).toMatchObject({ timeout: 2_000_000_000, drainTimeout: 2 ** 31 - 1 });
  });
});
