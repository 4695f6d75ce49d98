import { performance } from 'node:perf_hooks';

export type TimerHandle = unknown;

/** Time as the mesh sees it: passed in, never read from globals, so tests can freeze it. */
export interface Clock {
  /** Milliseconds on a monotonic scale (not wall time). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and unref'd timers, so the mesh never holds a process open. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
