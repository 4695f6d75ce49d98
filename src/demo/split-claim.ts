import type { ServiceStats } from '../index.js';
import type { OrdersSplit } from './demo-mesh-yaml.js';

/** Attempts per version (the `version` label of each endpoint), as mesh.stats() counts them since start. */
export type VersionCounts = ReadonlyMap<string, number>;

export function attemptsByVersion(stats: ServiceStats | undefined): VersionCounts {
  const counts = new Map<string, number>();
  for (const e of stats?.endpoints ?? []) {
    const v = e.labels.version ?? '(none)';
    counts.set(v, (counts.get(v) ?? 0) + e.requests);
  }
  return counts;
}

/** The attempts made between two readings. */
export function countsSince(before: VersionCounts, after: VersionCounts): VersionCounts {
  return new Map([...after].map(([v, n]) => [v, n - (before.get(v) ?? 0)]));
}

/** Percent of the attempts that went to v2, and how many attempts there were. */
function v2Share(counts: VersionCounts): { share: number; total: number } {
  const total = (counts.get('v1') ?? 0) + (counts.get('v2') ?? 0);
  return { share: total === 0 ? NaN : (100 * (counts.get('v2') ?? 0)) / total, total };
}

/** `v1 49.50% / v2 50.50% of 200 attempts`. */
export function formatSplit(counts: VersionCounts): string {
  const { share, total } = v2Share(counts);
  if (total === 0) return 'no attempts';
  return `v1 ${(100 - share).toFixed(2)}% / v2 ${share.toFixed(2)}% of ${total} attempts`;
}

/**
 * Four standard deviations of a measured share (percent) around the weight, for `total` draws:
 * a share this far from the weight would be a one-in-ten-thousand run. None at weight 0 or 100.
 */
function tolerance(weight: number, total: number): number {
  const p = weight / 100;
  return 100 * 4 * Math.sqrt((p * (1 - p)) / total);
}

function matches(counts: VersionCounts, weightV2: number): boolean {
  const { share, total } = v2Share(counts);
  return total > 0 && Math.abs(share - weightV2) <= tolerance(weightV2, total) + 1e-9;
}

const shown = (s: OrdersSplit) => `${s.v1}/${s.v2}`;

function v2Got(counts: VersionCounts): string {
  const { share, total } = v2Share(counts);
  return total === 0 ? 'no attempts' : `${share.toFixed(2)}% of ${total} attempts`;
}

/**
 * What the demo may claim about the live config change, from what it measured: that orders calls
 * followed the weights in force before and after it, or, when they did not, the numbers alone.
 */
export function splitClaim(before: VersionCounts, after: VersionCounts, from: OrdersSplit, to: OrdersSplit): string {
  const measured = `v2 got ${v2Got(before)} before the change and ${v2Got(after)} after it`;
  return matches(before, from.v2) && matches(after, to.v2)
    ? `orders split: ${measured}: the calls followed the split from ${shown(from)} to ${shown(to)}, live, with no restart.`
    : `orders split: ${measured}: not the weights applied (${shown(from)}, then ${shown(to)}) within four standard deviations, so the demo does not claim the change took effect.`;
}
