import { describe, expect, it } from 'vitest';
import { ProcessHold } from '../../../src/core/index.js';

/** Timers that keep the event loop alive, as Node counts them. */
const refdTimers = () => (process.getActiveResourcesInfo?.() ?? []).filter((r) => r === 'Timeout').length;

describe('ProcessHold', () => {
  it('holds one ref\'d timer while any call is in flight, and none when idle or closed', () => {
    const before = refdTimers();
    const hold = new ProcessHold();
    expect(refdTimers()).toBe(before);
    hold.acquire();
    hold.acquire();
    expect(refdTimers()).toBe(before + 1);
    hold.release();
    expect(refdTimers()).toBe(before + 1);
    hold.release();
    expect(refdTimers()).toBe(before);
    hold.release(); // one release too many does not go negative
    hold.acquire();
    expect(hold.count).toBe(1);
    hold.close();
    expect(refdTimers()).toBe(before + 1); // a call still in flight keeps it
    hold.release();
    expect(refdTimers()).toBe(before);
  });
});
