import type { Cancellation, Clock } from '../core/index.js';

/**
 * Resolves after `ms` on the Clock, or rejects with the cancellation's reason if it fires first
 * (at once if it already has). For the rare paths (a retry's backoff, an injected delay): one
 * timer and one listener per wait. A wait of NaN ms is no wait (a computed delay gone wrong
 * must not hang the call); Infinity waits for the cancellation.
 */
export function sleep(clock: Clock, ms: number, cancellation: Cancellation): Promise<void> {
  if (cancellation.cancelled) return Promise.reject(cancellation.reason);
  if (Number.isNaN(ms)) ms = 0;
  return new Promise<void>((resolve, reject) => {
    const off = cancellation.onCancel((reason) => {
      clock.clearTimeout(timer);
      reject(reason);
    });
    const timer = clock.setTimeout(() => {
      off();
      resolve();
    }, ms);
  });
}
