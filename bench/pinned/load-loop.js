// A closed-loop load: `concurrency` workers each awaiting one call at a time, for `count` calls
// or `maxMs`, whichever ends first. Latencies in µs.
export async function closedLoop(call, { concurrency, count, maxMs }) {
  const lat = new Float64Array(count);
  let started = 0;
  let done = 0;
  const t0 = performance.now();
  const stopAt = t0 + maxMs;
  const worker = async () => {
    while (started < count && performance.now() < stopAt) {
      started++;
      const s = performance.now();
      await call();
      lat[done++] = (performance.now() - s) * 1000;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const sorted = lat.subarray(0, done).sort();
  const q = (p) => (done ? sorted[Math.min(done - 1, Math.floor(p * done))] : NaN);
  return { n: done, seconds, rps: done / seconds, p50: q(0.5), p99: q(0.99) };
}
