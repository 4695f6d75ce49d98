import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/index.js';
import { within } from '../../../src/server/within.js';

describe('within', () => {
  it('a wait longer than a Node timer holds does not end at once (2^31 ms would overflow to 1 ms)', async () => {
    const never = new Promise<void>(() => undefined);
    let outcome: boolean | undefined;
    void within(never, 2 ** 31 + 5, systemClock).then((v) => (outcome = v));
    await new Promise((r) => setTimeout(r, 50));
    expect(outcome).toBeUndefined();
  });

  it('still times out and still sees work that finishes', async () => {
    expect(await within(new Promise<void>(() => undefined), 5, systemClock)).toBe(false);
    expect(await within(Promise.resolve(), 10_000, systemClock)).toBe(true);
  });
});
