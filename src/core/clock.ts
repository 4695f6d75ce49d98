import { performance } from 'node:perf_hooks';

export type TimerHandle = unknown;

/** Time as the mesh sees it: passed in, never read from globals, so tests can freeze it. */
export interface Clock {
  /** Milliseconds on a monotonic scale (not wall time). */
  now(): number;
  /**
   * Calls `fn` after `ms`. Any number is safe: a negative one fires as soon as possible, and
   * Infinity or NaN never fires (the delay of something that is not due).
   */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The longest delay Node's timers hold; a longer one fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timer functions the system clock sits on (Node's globals; replaceable in tests). */
export interface TimerHost {
  setTimeout(fn: () => void, ms: number): { unref(): unknown };
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** A delay too long for one Node timer: re-armed in steps of at most MAX_TIMER_MS until it is due. */
class ChainedTimer {
  timer: unknown;
  constructor(readonly due: number) {}
}

/** The handle of a timer that never fires: nothing to clear. */
const NEVER: TimerHandle = Object.freeze({ never: true });

/**
 * A Clock over `host`: unref'd timers, so the mesh's own timers never hold a process open (a
 * call in flight does, through `ProcessHold`). Delays above MAX_TIMER_MS are chained, so a
 * 720 h timer waits 720 h instead of spinning every millisecond.
 */
export function timerClock(host: TimerHost): Clock {
  const arm = (fn: () => void, ms: number) => {
    const t = host.setTimeout(fn, ms);
    t.unref();
    return t;
  };
  const armChained = (c: ChainedTimer, fn: () => void): void => {
    const left = c.due - host.now();
    if (left <= 0) return fn();
    c.timer = arm(() => armChained(c, fn), Math.min(left, MAX_TIMER_MS));
  };
  return {
    now: () => host.now(),
    setTimeout(fn, ms) {
      if (ms <= MAX_TIMER_MS) return arm(fn, ms > 0 ? ms : 0);
      if (!(ms < Infinity)) return NEVER; // Infinity or NaN
      const c = new ChainedTimer(host.now() + ms);
      c.timer = arm(() => armChained(c, fn), MAX_TIMER_MS);
      return c;
    },
    clearTimeout(handle) {
      if (handle === NEVER) return;
      host.clearTimeout(handle instanceof ChainedTimer ? handle.timer : handle);
    },
  };
}

/** The real clock: `performance.now()` and unref'd Node timers. */
export const systemClock: Clock = timerClock({
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => performance.now(),
});
