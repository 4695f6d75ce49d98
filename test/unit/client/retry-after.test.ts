import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../../src/client/http/retry-after.js';

const NOW = Date.UTC(2026, 11, 2, 8, 0, 0);

describe('retryAfterMs (RFC 9110 Retry-After)', () => {
  it('reads delay-seconds: digits only', () => {
    expect(retryAfterMs('0', NOW)).toBe(0);
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 5 ', NOW)).toBe(5_000);
    expect(retryAfterMs('999999999', NOW)).toBe(999_999_999_000);
  });

  it('ignores what Number() would take but the RFC does not', () => {
    for (const junk of ['0x10', '1.5', '-1', '1e308', '+5', '5s', '1_000', 'Infinity', 'NaN', '', ' ', '0b1', '1,5', 'soon']) {
      expect(retryAfterMs(junk, NOW), JSON.stringify(junk)).toBeUndefined();
    }
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
  });

  it('reads the three HTTP-date forms', () => {
    expect(retryAfterMs('Wed, 02 Dec 2026 08:00:30 GMT', NOW)).toBe(30_000);
    expect(retryAfterMs('Wednesday, 02-Dec-26 08:01:00 GMT', NOW)).toBe(60_000);
    expect(retryAfterMs('Wed Dec  2 08:00:05 2026', NOW)).toBe(5_000);
    expect(retryAfterMs(new Date(NOW + 10_000).toUTCString(), NOW)).toBe(10_000);
  });

  it('says 0 for a date already past', () => {
    expect(retryAfterMs('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('ignores dates that are malformed or name no real instant', () => {
    for (const junk of [
      'Wed, 31 Feb 2026 08:00:00 GMT',
      'Wed, 02 Dec 2026 25:00:00 GMT',
      'Wed, 02 Dec 2026 08:00:00 PST',
      'Wed, 2 Dec 2026 08:00:00 GMT',
      '2026-12-02T08:00:30Z',
      'Dec 2, 2026',
      '1.5 GMT',
    ]) {
      expect(retryAfterMs(junk, NOW), junk).toBeUndefined();
    }
  });
});
