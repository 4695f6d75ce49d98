/**
 * A record keyed by names users write (services, subsets, labels, header names): it has no prototype,
 * so a name such as `constructor` or `toString` is never found on Object.prototype, and `__proto__`
 * would be a plain key.
 *
 * @example
 * const subsets = dataRecord<Labels>();
 * subsets['toString'] === undefined // true
 */
export function dataRecord<T>(entries?: Iterable<readonly [string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (entries) for (const [k, v] of entries) out[k] = v;
  return out;
}
