import type { Clock, Logger } from '../core/index.js';

/** Lines written per window at most; a caller probing a service must not flood the log. */
const LINES_PER_WINDOW = 10;
const WINDOW_MS = 10_000;

/**
 * Warns about refused requests, at most LINES_PER_WINDOW lines every WINDOW_MS: the first line of
 * the next window says how many were left out, and the counter has them all.
 */
export class DenialLog {
  readonly #log: Logger;
  readonly #clock: Clock;
  #windowStart = -Infinity;
  #written = 0;
  #suppressed = 0;

  constructor(log: Logger, clock: Clock) {
    this.#log = log;
    this.#clock = clock;
  }

  warn(message: string, fields: () => Record<string, unknown>): void {
    const now = this.#clock.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written >= LINES_PER_WINDOW) {
      this.#suppressed++;
      return;
    }
    this.#written++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    this.#log.warn(message, suppressed > 0 ? { ...fields(), suppressed } : fields());
  }
}
