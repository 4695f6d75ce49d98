/**
 * `Retry-After` as RFC 9110 §10.2.3 defines it: `delay-seconds` (one or more digits, nothing else)
 * or an `HTTP-date` (§5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient
 * must still accept). Anything else is ignored, however `Number()` or `Date.parse` would read it:
 * `0x10`, `1.5`, `-1` and `1e308` are not delay-seconds, and `Date.parse('1.5')` is a day in 2001.
 */

const DELAY_SECONDS = /^\d+$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` */
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** `Sun Nov  6 08:49:37 1994` */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * The wait a `Retry-After` value asks for, in ms from `nowEpochMs` (0 for a date already past),
 * or undefined if the value is not one RFC 9110 allows. Not capped: callers bound it to what
 * they will honour (a call's remaining deadline, a penalty's maximum).
 */
export function retryAfterMs(value: string | undefined, nowEpochMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (DELAY_SECONDS.test(v)) return Number(v) * 1000;
  const at = httpDateMs(v, nowEpochMs);
  return at === undefined ? undefined : Math.max(0, at - nowEpochMs);
}

/** An HTTP-date as epoch ms, or undefined if it is malformed or names no real instant (31 Feb, 25:00). */
export function httpDateMs(v: string, nowEpochMs = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(v);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = RFC850_DATE.exec(v);
  if (m) return utc(fullYear(Number(m[3]), nowEpochMs), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = ASCTIME_DATE.exec(v);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), m[3]!, m[4]!, m[5]!);
  return undefined;
}

/** RFC 9110: a two-digit year that would be more than 50 years in the future is in the past century. */
function fullYear(yy: number, nowEpochMs: number): number {
  const thisYear = new Date(nowEpochMs).getUTCFullYear();
  let year = Math.floor(thisYear / 100) * 100 + yy;
  if (year > thisYear + 50) year -= 100;
  return year;
}

function utc(year: number, month: string, day: number, hh: string, mm: string, ss: string): number | undefined {
  const mon = MONTHS.indexOf(month);
  const h = Number(hh);
  const min = Number(mm);
  // 60 is a leap second, which Date cannot hold; it is read as the next second.
  const s = Number(ss);
  if (h > 23 || min > 59 || s > 60 || day < 1) return undefined;
  const t = Date.UTC(year, mon, day, h, min, s);
  // Date.UTC rolls 31 Feb over into March: a date that did not stay put was not a real one.
  return new Date(t).getUTCDate() === day || s === 60 ? t : undefined;
}
