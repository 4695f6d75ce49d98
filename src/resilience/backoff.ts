import type { Random } from '../core/index.js';
import type { Millis } from '../config/types.js';

/** The `retries.backoff` slice: the first retry waits up to `base`, each later one up to twice as long, never more than `max`. */
export interface BackoffConfig {
  readonly base: Millis;
  readonly max: Millis;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog, as gRPC and Envoy use it):
 * a uniform delay in [0, min(max, base · 2^(attempt − 1))), where `attempt` is 1 before the
 * first retry, 2 before the second, …
 *
 * @example
 * const ms = backoffDelay(1, { base: 25, max: 250 }, Math.random); // in [0, 25)
 */
export function backoffDelay(attempt: number, cfg: BackoffConfig, random: Random): number {
  const exp = attempt <= 1 ? 0 : Math.min(attempt - 1, 52);
  const ceiling = Math.min(cfg.max, cfg.base * 2 ** exp);
  return ceiling > 0 ? random() * ceiling : 0;
}

/** Checks a backoff slice once, when a layer is built. */
export function validateBackoff(cfg: BackoffConfig, who: string): void {
  if (!(cfg.base >= 0) || !Number.isFinite(cfg.base)) throw new RangeError(`${who}: backoff.base must be a non-negative number of ms, got ${cfg.base}`);
  if (!(cfg.max >= cfg.base) || !Number.isFinite(cfg.max)) throw new RangeError(`${who}: backoff.max must be at least backoff.base (${cfg.base}ms), got ${cfg.max}`);
}
