import type { Clock } from '../core/index.js';
import { MAX_TIMER_MS } from './client-timeouts.js';

/**
 * Waits for `work` at most `ms` on `clock`: true when it finished in time, false when the time
 * ran out first (the work goes on; the caller decides what to drop). A rejection counts as finished.
 *
 * @example
 * if (!(await within(stack.idle(), 10_000, clock))) listener.destroy();
 */
export function within(work: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    // Past 2^31-1 ms a Node timer fires after 1 ms; such a wait is as good as endless, so it is cut to the longest one.
    const timer = clock.setTimeout(() => resolve(false), Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    const done = () => {
      clock.clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}
