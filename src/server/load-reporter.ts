import { performance } from 'node:perf_hooks';
import { formatLoadReport, type Clock } from '../core/index.js';

/** Event-loop utilisation is sampled at most this often: it is a process-wide figure, not a per-request one. */
export const ELU_SAMPLE_INTERVAL_MS = 100;

/** Returns the event loop's utilisation (0..1) since the previous call. */
export type EluSampler = () => number;

/**
 * `performance.eventLoopUtilization` deltas: the share of time the loop was busy since the last
 * sample. The first call only sets the baseline (and says 0): measured from process start it
 * would report the busy startup (module loading) as load, and drive callers away from a new instance.
 */
export function eventLoopSampler(): EluSampler {
  let last: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = last ? performance.eventLoopUtilization(now, last) : undefined;
    last = now;
    return delta ? delta.utilization : 0;
  };
}

/**
 * Makes the `inmesh-load` value of each response (`inflight=<n>;elu=<0..1>`), which client
 * balancers use to scale an endpoint's cost. The ELU part is recomputed at most every 100 ms;
 * per request it is one string concatenation.
 *
 * @example
 * const load = new LoadReporter(systemClock);
 * res.setHeader(MeshHeaders.load, load.value(inflight, clock.now()));
 */
export class LoadReporter {
  readonly #sample: EluSampler;
  #at = -Infinity;
  #suffix = '';
  #elu = 0;

  constructor(clock: Clock, sample: EluSampler = eventLoopSampler()) {
    this.#sample = sample;
    this.#at = clock.now() - ELU_SAMPLE_INTERVAL_MS;
  }

  value(inflight: number, now: number): string {
    if (now - this.#at >= ELU_SAMPLE_INTERVAL_MS) {
      this.#at = now;
      this.#elu = Math.min(1, Math.max(0, this.#sample()));
      // formatLoadReport owns the format; only the inflight count changes between samples.
      this.#suffix = formatLoadReport(0, this.#elu).slice('inflight=0'.length);
    }
    return `inflight=${inflight}${this.#suffix}`;
  }
}
