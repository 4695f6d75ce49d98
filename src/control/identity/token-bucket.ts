import type { Clock } from '../../experimental.js';

export interface TokenBucketOptions {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** The most tokens held: how large a burst passes at once. */
  readonly burst: number;
}

export const DEFAULT_ISSUANCE_RATE: TokenBucketOptions = Object.freeze({ perSecond: 500, burst: 200 });

/** A token bucket on a monotonic clock: `take()` spends one token, or says how long until one is there. */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(o: TokenBucketOptions, clock: Clock) {
    if (!(o.perSecond > 0) || !Number.isFinite(o.perSecond)) throw new RangeError(`perSecond must be a number > 0, got ${o.perSecond}`);
    if (!(o.burst >= 1) || !Number.isFinite(o.burst)) throw new RangeError(`burst must be a number ≥ 1, got ${o.burst}`);
    this.#clock = clock;
    this.#perMs = o.perSecond / 1000;
    this.#burst = o.burst;
    this.#tokens = o.burst;
    this.#at = clock.now();
  }

  /** 0 when a token was taken, else the ms until the next one. */
  take(): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / this.#perMs);
  }
}
