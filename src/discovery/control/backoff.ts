import type { Random } from '../../core/index.js';

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** 250 ms doubling to 30 s: a daemon back from a restart is found in seconds, a dead one is not hammered. */
export const CONTROL_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 250, maxMs: 30_000 });

/**
 * The pause before retry `failures` (1 for the first): "full jitter", a uniform draw up to the
 * doubled ceiling, so a fleet that lost its daemon at once does not come back at once (AWS
 * Architecture Blog, "Exponential Backoff and Jitter").
 */
export function fullJitterDelay(failures: number, random: Random, o: BackoffOptions = CONTROL_BACKOFF): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.floor(random() * ceiling);
}
