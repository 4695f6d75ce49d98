// Whether something other than the processes we measure used the CPU during a window.

/** Others may use up to this share of one core during a window before the row is flagged. */
export const DISTURBANCE_THRESHOLD = 0.1;

/**
 * `busyTicks`: the machine's busy ticks over the window (/proc/stat, all cores); `measuredTicks`:
 * the ticks of every process we started or are (client, servers, proxies, this process);
 * `elapsedMs`: the window's length. Returns the others' ticks and their share of one core.
 * Tick counts are rounded per process, so a small negative remainder is clamped to zero.
 */
export function othersUsage({ busyTicks, measuredTicks, elapsedMs, hz, threshold = DISTURBANCE_THRESHOLD }) {
  const others = Math.max(0, busyTicks - measuredTicks);
  const windowTicks = (elapsedMs / 1000) * hz;
  const shareOfCore = windowTicks > 0 ? others / windowTicks : 0;
  return { othersTicks: others, shareOfCore, disturbed: shareOfCore > threshold };
}

/**
 * Rows (group, case, point) with at least one disturbed window, and those with no other: their
 * figures come from disturbed windows only.
 */
export function disturbedRows(windows) {
  const rows = new Map();
  for (const w of windows) {
    const key = `${w.group}/${w.case}/${w.point}`;
    const r = rows.get(key) ?? { disturbed: 0, calm: 0 };
    if (w.disturbed) r.disturbed++;
    else r.calm++;
    rows.set(key, r);
  }
  const all = [...rows.values()];
  return { rows: all.length, disturbed: all.filter((r) => r.disturbed > 0).length, onlyDisturbed: all.filter((r) => r.calm === 0).length };
}
