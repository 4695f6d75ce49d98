// autocannon in a process of its own (so that it can be pinned): stops after `count` requests
// or `maxMs`; prints { n, rps, p50, p99 (µs), errors } as JSON.
import autocannon from 'autocannon';

const [port, connections, count, maxMs] = process.argv.slice(2).map(Number);
// autocannon notices the end of `amount` only at its next sample tick (default every 1 s), so its
// duration, and the rate over it, would be rounded up to whole seconds: sample every 10 ms.
const instance = autocannon({ url: `http://127.0.0.1:${port}/`, connections, amount: count, sampleInt: 10 });
const timer = setTimeout(() => instance.stop(), maxMs);
instance.on('done', (res) => {
  clearTimeout(timer);
  const n = res.requests.total;
  process.stdout.write(
    `${JSON.stringify({ n, rps: n / res.duration, p50: res.latency.p50 * 1000, p99: res.latency.p99 * 1000, errors: res.errors + res.timeouts + res.non2xx })}\n`,
  );
});
