import type { Clock } from '../core/index.js';

/**
 * Waits for `work` at most `ms` on `clock`: true when it finished in time, false when the time
 * ran out first (the work goes on; the caller decides what to drop). A rejection counts as finished.
 *
 * @example
 * if (!(await within(stack.idle(), 10_000, clock))) listener.destroy();
 */
export function within(work: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), Math.max(0, ms));
    const done = () => {
      clock.clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}
