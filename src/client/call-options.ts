import type { HedgeConfig, RetryConfig } from '../config/types.js';

/**
 * Per-call overrides of the destination's policy, given to `mesh.request`/`mesh.fetch`.
 *
 * @example
 * await mesh.request('http://orders/api/orders/42', { timeout: 200, retry: false });
 */
export interface MeshCallOptions {
  /** Give up after this many milliseconds (never later than a deadline inherited from the request being served). */
  readonly timeout?: number;
  /** Give up at this wall-clock time (`Date.now()` scale). */
  readonly deadline?: number;
  /** `false` turns retries off for this call; an object overrides parts of the policy. */
  readonly retry?: false | Partial<Pick<RetryConfig, 'attempts' | 'on' | 'retryNonIdempotent' | 'backoff'>>;
  /** `false` turns hedging off for this call; an object hedges it (idempotent calls only). */
  readonly hedge?: false | Partial<HedgeConfig>;
}

/** The dispatch-options key that carries MeshCallOptions from `mesh.request`/`mesh.fetch` to the dispatcher. */
export const kCallOptions = 'inmeshCall';

/** The stack variant a call needs: '' for the configured policy, else a key naming the overrides. */
export function variantKey(o: MeshCallOptions | undefined): string {
  if (!o || (o.retry === undefined && o.hedge === undefined)) return '';
  return JSON.stringify([o.retry ?? null, o.hedge ?? null]);
}
