/**
 * Longest budget taken from a caller: 2,000,000,000 ms (about 23 days). A Node timer holds at most
 * 2^31-1 ms and fires after 1 ms beyond it, so a longer budget would make the deadline timer
 * spin; the margin leaves room for the timer wheel's rounding.
 */
export const MAX_DEADLINE_MS = 2_000_000_000;

/**
 * Parses `inmesh-deadline-ms` (the caller's remaining budget in whole milliseconds). Returns the
 * milliseconds, or -1 when the value is not a plain non-negative integer (the server answers 400
 * rather than guessing: a caller that sends a malformed budget has a bug worth seeing).
 *
 * @example
 * parseDeadlineHeader('250') // 250
 * parseDeadlineHeader('1.5s') // -1
 */
export function parseDeadlineHeader(value: string | string[]): number {
  if (typeof value !== 'string') return -1; // repeated header: which one would be right?
  const n = value.length;
  if (n === 0 || n > 15) return -1;
  let ms = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    ms = ms * 10 + c;
  }
  return Math.min(ms, MAX_DEADLINE_MS);
}
