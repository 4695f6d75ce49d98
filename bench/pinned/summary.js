// Summaries over repetitions and ratios against a baseline of the same run.

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

const MIN_KEYS = ['clientUs', 'serverUs', 'totalUs'];

/**
 * The median of every numeric field over the undisturbed repetitions, or over all of them when
 * every one was disturbed. `disturbed`: how many were; `used`: how many the medians are of;
 * `usedDisturbed`: whether the figures include a disturbed window (the row's '*'). CPU figures
 * also get `<key>Min`, the lowest of the windows used.
 */
export function summarise(reps) {
  const calm = reps.filter((r) => !r.disturbed);
  const used = calm.length ? calm : reps;
  const out = { reps: reps.length, disturbed: reps.length - calm.length, used: used.length, usedDisturbed: calm.length === 0 && reps.length > 0 };
  const keys = new Set(used.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] === 'number')));
  for (const k of keys) out[k] = median(used.map((r) => r[k]));
  // Noise on a shared host only ever adds CPU time, so the cheapest window is the steadier
  // estimate of a cost; it is kept beside the median for the CPU figures.
  for (const k of MIN_KEYS) if (keys.has(k)) out[`${k}Min`] = Math.min(...used.map((r) => r[k]).filter((v) => Number.isFinite(v)));
  return out;
}

/** subject / base, NaN when either is missing or the base is zero. */
export function ratio(subject, base) {
  return Number.isFinite(subject) && Number.isFinite(base) && base !== 0 ? subject / base : NaN;
}

/** Rotates `items` left by `by`: repetition r of a round-robin starts with a different case. */
export function rotate(items, by) {
  const n = items.length;
  if (n === 0) return [];
  const k = ((by % n) + n) % n;
  return [...items.slice(k), ...items.slice(0, k)];
}
