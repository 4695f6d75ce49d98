/**
 * A token bucket: `rate` tokens per second up to `burst`. Time comes from the caller (Clock ms),
 * so it costs no timer and tests drive it with a FakeClock.
 *
 * @example
 * const b = new TokenBucket(10, 5, clock.now());
 * if (b.take(clock.now()) > 0) refuse(); // else go ahead
 */
export class TokenBucket {
  #rate: number;
  #burst: number;
  #tokens: number;
  #at: number;

  constructor(ratePerSecond: number, burst: number, now: number) {
    this.#rate = ratePerSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes one token: returns 0 when there was one, else the ms until one will be there. */
  take(now: number): number {
    const tokens = this.#refill(now);
    if (tokens >= 1) {
      this.#tokens = tokens - 1;
      return 0;
    }
    return (1 - tokens) / this.#rate;
  }

  /** True when the bucket has refilled completely by `now`: it holds no state worth keeping. */
  full(now: number): boolean {
    return this.#tokens + (now - this.#at) * this.#rate >= this.#burst;
  }

  /** New limits; the tokens on hand carry over (capped at the new burst). */
  reconfigure(ratePerSecond: number, burst: number, now: number): void {
    this.#tokens = Math.min(burst, this.#refill(now));
    this.#rate = ratePerSecond / 1000;
    this.#burst = burst;
  }

  #refill(now: number): number {
    if (now > this.#at) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#rate);
      this.#at = now;
    }
    return this.#tokens;
  }
}
