import { DEFAULT_ADAPTIVE_CONCURRENCY } from '../config/defaults.js';
import type { AdaptiveConcurrencyConfig, InboundConfig } from '../config/types.js';
import { MAX_TIMER_MS } from './client-timeouts.js';
import { MAX_DEADLINE_MS } from './deadline-header.js';
import type { InboundLimits } from './inbound-stack.js';

/**
 * Per-application overrides of mesh.yaml's `inbound` block, for `mesh.serve`, `inmeshExpress`
 * and `inmeshFastify`. Durations are milliseconds here (code, not YAML).
 */
export interface InboundOverrides {
  /** Requests served at once; more wait in a queue of `maxQueue`, then get 503. */
  readonly maxConcurrent?: number;
  readonly maxQueue?: number;
  /** A token bucket for the service (or per caller with `perCaller`); `false` turns a configured one off. */
  readonly rateLimit?: { readonly rps: number; readonly burst?: number; readonly perCaller?: boolean } | false;
  /** A concurrency limit that follows latency; `true` for the defaults. */
  readonly adaptiveConcurrency?: boolean | Partial<AdaptiveConcurrencyConfig>;
  /** Caps every request's deadline (ms), also when the caller sent none. */
  readonly timeout?: number;
  /** How long a drain waits for requests in flight (ms) before dropping them. */
  readonly drainTimeout?: number;
}

/** The stack's limits and the drain timeout: config with the overrides applied, checked once here. */
export interface InboundSettings extends InboundLimits {
  readonly drainTimeout: number;
}

/**
 * Applies `o` over the config's inbound block; throws a RangeError naming the option on a bad
 * value (options are checked when the stack is built, not per request).
 */
export function inboundSettings(cfg: InboundConfig, o: InboundOverrides = {}): InboundSettings {
  const maxConcurrent = o.maxConcurrent ?? cfg.maxConcurrent;
  if (maxConcurrent !== undefined) positiveInt('maxConcurrent', maxConcurrent, 1);
  const maxQueue = o.maxQueue ?? cfg.maxQueue;
  positiveInt('maxQueue', maxQueue, 0);
  let rateLimit = cfg.rateLimit;
  if (o.rateLimit === false) rateLimit = undefined;
  else if (o.rateLimit) {
    const { rps, burst = Math.max(1, Math.ceil(rps)), perCaller = false } = o.rateLimit;
    if (!(rps > 0) || !Number.isFinite(rps)) throw new RangeError(`rateLimit.rps must be a number above 0, got ${rps}`);
    positiveInt('rateLimit.burst', burst, 1);
    rateLimit = { rps, burst, perCaller };
  }
  let adaptiveConcurrency = cfg.adaptiveConcurrency;
  if (o.adaptiveConcurrency === false) adaptiveConcurrency = undefined;
  else if (o.adaptiveConcurrency === true) adaptiveConcurrency ??= DEFAULT_ADAPTIVE_CONCURRENCY;
  else if (o.adaptiveConcurrency) {
    const a = { ...(adaptiveConcurrency ?? DEFAULT_ADAPTIVE_CONCURRENCY), ...o.adaptiveConcurrency };
    if (!(a.minLimit >= 1 && a.minLimit <= a.initialLimit && a.initialLimit <= a.maxLimit)) {
      throw new RangeError(`adaptiveConcurrency: need 1 <= minLimit <= initialLimit <= maxLimit, got ${a.minLimit}, ${a.initialLimit}, ${a.maxLimit}`);
    }
    if (!(a.tolerance >= 1)) throw new RangeError(`adaptiveConcurrency.tolerance must be at least 1, got ${a.tolerance}`);
    if (!(a.window > 0)) throw new RangeError(`adaptiveConcurrency.window must be above 0 ms, got ${a.window}`);
    adaptiveConcurrency = a;
  }
  // A deadline longer than a Node timer holds would make its timer spin: options past it are refused,
  // and the config's (bounded by its schema) cut to it.
  if (o.timeout !== undefined && !(o.timeout > 0 && o.timeout <= MAX_DEADLINE_MS)) throw new RangeError(`timeout must be above 0 ms and at most ${MAX_DEADLINE_MS} ms, got ${o.timeout}`);
  const timeout = o.timeout ?? (cfg.timeout === undefined ? undefined : Math.min(cfg.timeout, MAX_DEADLINE_MS));
  if (o.drainTimeout !== undefined && !(o.drainTimeout >= 0 && o.drainTimeout <= MAX_TIMER_MS)) throw new RangeError(`drainTimeout must be from 0 to ${MAX_TIMER_MS} ms, got ${o.drainTimeout}`);
  const drainTimeout = Math.min(o.drainTimeout ?? cfg.drainTimeout, MAX_TIMER_MS);
  return { maxConcurrent, maxQueue, rateLimit, adaptiveConcurrency, timeout, drainTimeout };
}

function positiveInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer of at least ${min}, got ${v}`);
}
