import type { Clock } from '../core/index.js';
import type { Millis, RetryConfig } from '../config/types.js';

export interface RetryBudgetConfig {
  /** Retries may add at most this fraction of the request rate (0.2 = 20% more load); 0 leaves only the minimum. */
  readonly ratio: number;
  /** Retries always allowed per second, whatever the ratio (so a quiet client can still retry). */
  readonly minRetriesPerSecond: number;
  /** How long a deposit (a call) or a withdrawal (a retry) counts; 1 s to 60 s, default 10 s. */
  readonly ttl?: Millis;
}

export const DEFAULT_RETRY_BUDGET_TTL = 10_000;

/** Tokens per retry: integers keep the windowed sums exact. */
const SCALE = 10_000;
const SLICES = 10;

/**
 * A retry budget (Finagle's TokenRetryBudget, Linkerd's retry budget), shared by every call to
 * one destination: each logical call deposits `ratio` of a retry, each retry withdraws one, and
 * deposits and withdrawals both expire after `ttl`, on top of a fixed reserve of
 * `minRetriesPerSecond × ttl` retries. Over any `ttl` window, retries ≤ ratio × calls +
 * minRetriesPerSecond × ttl, so an outage cannot multiply load by more than 1 + ratio (plus
 * the minimum). The window is kept in 10 slices, as Finagle's WindowedAdder does.
 *
 * @example
 * const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 10 }, systemClock);
 * budget.deposit();                 // once per logical call
 * if (budget.tryWithdraw()) retry(); // once per retry
 */
export class RetryBudget {
  readonly ratio: number;
  readonly minRetriesPerSecond: number;
  readonly ttl: Millis;
  readonly #clock: Clock;
  readonly #deposit: number;
  readonly #reserve: number;
  readonly #sliceMs: number;
  readonly #slices = new Float64Array(SLICES);
  #index = 0;
  #sliceStart: number;
  #sum = 0;

  constructor(cfg: RetryBudgetConfig, clock: Clock) {
    const ttl = cfg.ttl ?? DEFAULT_RETRY_BUDGET_TTL;
    if (!(cfg.ratio >= 0 && cfg.ratio <= 1000)) throw new RangeError(`RetryBudget: ratio must be between 0 and 1000, got ${cfg.ratio}`);
    if (!(cfg.minRetriesPerSecond >= 0) || !Number.isFinite(cfg.minRetriesPerSecond))
      throw new RangeError(`RetryBudget: minRetriesPerSecond must be a non-negative number, got ${cfg.minRetriesPerSecond}`);
    if (!(ttl >= 1000 && ttl <= 60_000)) throw new RangeError(`RetryBudget: ttl must be between 1s and 60s, got ${ttl}ms`);
    this.ratio = cfg.ratio;
    this.minRetriesPerSecond = cfg.minRetriesPerSecond;
    this.ttl = ttl;
    this.#clock = clock;
    this.#deposit = Math.round(cfg.ratio * SCALE);
    this.#reserve = Math.round(cfg.minRetriesPerSecond * (ttl / 1000) * SCALE);
    this.#sliceMs = ttl / SLICES;
    this.#sliceStart = clock.now();
  }

  /** The budget of a `retries` config slice (`budget`, `minRetriesPerSecond`). */
  static fromConfig(cfg: Pick<RetryConfig, 'budget' | 'minRetriesPerSecond'>, clock: Clock, ttl?: Millis): RetryBudget {
    return new RetryBudget({ ratio: cfg.budget, minRetriesPerSecond: cfg.minRetriesPerSecond, ttl }, clock);
  }

  /** Once per logical call (not per attempt). */
  deposit(): void {
    if (this.#deposit === 0) return;
    this.#roll();
    this.#slices[this.#index] = this.#slices[this.#index]! + this.#deposit;
    this.#sum += this.#deposit;
  }

  /** Once per retry: true if the budget allows it (and takes its share), false if it is spent. */
  tryWithdraw(): boolean {
    this.#roll();
    if (this.#sum + this.#reserve < SCALE) return false;
    this.#slices[this.#index] = this.#slices[this.#index]! - SCALE;
    this.#sum -= SCALE;
    return true;
  }

  /** How many retries the budget would allow right now. */
  balance(): number {
    this.#roll();
    return Math.max(0, Math.floor((this.#sum + this.#reserve) / SCALE));
  }

  /** Expires the slices that left the window since the last operation. */
  #roll(): void {
    const elapsed = Math.floor((this.#clock.now() - this.#sliceStart) / this.#sliceMs);
    if (elapsed <= 0) return;
    const slices = this.#slices;
    if (elapsed >= SLICES) {
      slices.fill(0);
      this.#sum = 0;
      this.#index = (this.#index + elapsed) % SLICES;
    } else {
      for (let i = 0; i < elapsed; i++) {
        this.#index = (this.#index + 1) % SLICES;
        this.#sum -= slices[this.#index]!;
        slices[this.#index] = 0;
      }
    }
    this.#sliceStart += elapsed * this.#sliceMs;
  }
}
