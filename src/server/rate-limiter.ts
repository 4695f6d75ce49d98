import { TokenBucket } from './token-bucket.js';

export interface RateLimitSettings {
  readonly rps: number;
  readonly burst: number;
  /** One bucket per caller identity instead of one for the whole service. */
  readonly perCaller: boolean;
}

/** Callers remembered at once; past it, buckets that have refilled (and so hold nothing) are dropped. */
const MAX_CALLERS = 10_000;

/**
 * The inbound rate limit: a token bucket for the service, or one per caller identity (the peer's
 * SPIFFE ID over mTLS, its address over plaintext), so one noisy caller cannot starve the rest.
 *
 * @example
 * const limiter = new RateLimiter({ rps: 100, burst: 20, perCaller: true }, clock.now());
 * const waitMs = limiter.take(callerKey, clock.now()); // 0 = go ahead
 */
export class RateLimiter {
  #cfg: RateLimitSettings;
  #service: TokenBucket;
  readonly #callers = new Map<string, TokenBucket>();

  constructor(cfg: RateLimitSettings, now: number) {
    if (!(cfg.rps > 0)) throw new RangeError(`rateLimit: rps must be above 0, got ${cfg.rps}`);
    if (!(cfg.burst >= 1)) throw new RangeError(`rateLimit: burst must be at least 1, got ${cfg.burst}`);
    this.#cfg = cfg;
    this.#service = new TokenBucket(cfg.rps, cfg.burst, now);
  }

  get perCaller(): boolean {
    return this.#cfg.perCaller;
  }

  /** Buckets held for callers now (for tests and stats). */
  get callers(): number {
    return this.#callers.size;
  }

  /** Takes a token for `caller`: 0 when allowed, else the ms until a token will be there. */
  take(caller: string, now: number): number {
    if (!this.#cfg.perCaller) return this.#service.take(now);
    let b = this.#callers.get(caller);
    if (b === undefined) {
      if (this.#callers.size >= MAX_CALLERS) this.#forget(now);
      b = new TokenBucket(this.#cfg.rps, this.#cfg.burst, now);
      this.#callers.set(caller, b);
    }
    return b.take(now);
  }

  reconfigure(cfg: RateLimitSettings, now: number): void {
    if (cfg.perCaller !== this.#cfg.perCaller) this.#callers.clear();
    this.#cfg = cfg;
    this.#service.reconfigure(cfg.rps, cfg.burst, now);
    for (const b of this.#callers.values()) b.reconfigure(cfg.rps, cfg.burst, now);
  }

  /** Drops full buckets; if every caller is active, the oldest tenth (each then starts afresh). */
  #forget(now: number): void {
    for (const [k, b] of this.#callers) if (b.full(now)) this.#callers.delete(k);
    if (this.#callers.size < MAX_CALLERS) return;
    let n = Math.ceil(MAX_CALLERS / 10);
    for (const k of this.#callers.keys()) {
      this.#callers.delete(k);
      if (--n === 0) break;
    }
  }
}
