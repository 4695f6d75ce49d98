// Repetitions interleaved across cases: within each repetition every case runs once, in an
// order rotated by one per repetition, so that no case always runs first or last.
import { rotate, summarise } from './summary.js';

/**
 * `measure(case, point)` runs one window and returns a record with `disturbed` and `othersShare`.
 * Returns { [caseId]: { [point]: summary } } and every raw window in `windows`.
 */
export async function runInterleaved({ group, cases, points, reps, measure, windows }) {
  const out = Object.fromEntries(cases.map((c) => [c.id, {}]));
  for (const point of points) {
    const raw = Object.fromEntries(cases.map((c) => [c.id, []]));
    for (let r = 0; r < reps; r++) {
      for (const c of rotate(cases, r)) {
        const rec = await measure(c, point);
        raw[c.id].push(rec);
        windows.push({ group, case: c.id, point, rep: r + 1, ...rec });
        if (rec.disturbed) {
          console.log(`  ! disturbed: ${group} ${c.label} @${point} rep ${r + 1}: other processes used ${(100 * rec.othersShare).toFixed(0)}% of a core${rec.stealShare > 0.05 ? `, the hypervisor took ${(100 * rec.stealShare).toFixed(0)}%` : ''}`);
        }
      }
    }
    for (const c of cases) out[c.id][point] = summarise(raw[c.id]);
  }
  return out;
}
