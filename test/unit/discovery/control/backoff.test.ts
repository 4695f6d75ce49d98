import { describe, expect, it } from 'vitest';
import { CONTROL_BACKOFF, fullJitterDelay } from '../../../../src/discovery/control/backoff.js';

describe('fullJitterDelay', () => {
  it('draws up to a ceiling that doubles from 250 ms and stops at 30 s', () => {
    expect(fullJitterDelay(1, () => 0.999)).toBe(249);
    expect(fullJitterDelay(2, () => 0.999)).toBe(499);
    expect(fullJitterDelay(8, () => 0.999)).toBe(Math.floor(0.999 * 30_000));
    expect(fullJitterDelay(1000, () => 0.999)).toBe(Math.floor(0.999 * CONTROL_BACKOFF.maxMs));
    expect(fullJitterDelay(5, () => 0)).toBe(0);
  });
});
