/**
 * Lets one message per key through every `everyMs`: a hostile client can make a refusal happen
 * thousands of times a second, and a log line for each would be the denial of service. The
 * counters count every one; the log says how many it left out.
 *
 * @example
 * const t = new LogThrottle(10_000);
 * const n = t.admit('tls:expired', Date.now()); if (n >= 0) log.warn('refused', { suppressed: n });
 */
export class LogThrottle {
  readonly #everyMs: number;
  readonly #keys = new Map<string, { at: number; suppressed: number }>();
  static readonly MAX_KEYS = 1000;

  constructor(everyMs: number) {
    this.#everyMs = everyMs;
  }

  /** -1 to stay silent, else how many messages of this key were left out since the last one. */
  admit(key: string, now: number): number {
    const k = this.#keys.get(key);
    if (k === undefined) {
      if (this.#keys.size >= LogThrottle.MAX_KEYS) this.#keys.clear();
      this.#keys.set(key, { at: now, suppressed: 0 });
      return 0;
    }
    if (now - k.at < this.#everyMs) {
      k.suppressed++;
      return -1;
    }
    const n = k.suppressed;
    k.at = now;
    k.suppressed = 0;
    return n;
  }
}
