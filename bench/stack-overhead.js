// The default client stack over a no-op transport: what the mesh itself costs per call,
// with no socket. The whole client path is measured (dispatcher, host lookup, context, stack,
// balancer, endpoint stack, delivery) against a baseline dispatcher that only answers.
// Usage: npm run bench:stack [-- --calls 300000]
import { createMesh } from '../dist/index.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const CALLS = arg('--calls', 300000);
const EMPTY = [];

/** A response that is complete at once: what a transport hands back, minus the socket. */
function instantResponse() {
  return {
    statusCode: 200,
    rawHeaders: EMPTY,
    statusMessage: 'OK',
    endpoint: 'noop',
    header: () => undefined,
    deliver(h) {
      h.onHeaders?.(200, EMPTY, noop, 'OK');
      h.onComplete?.([]);
    },
    discard() {},
    onDone(fn) {
      fn(null);
    },
  };
}
function noop() {}

const noopTransport = {
  role: 'noop-transport',
  description: 'answers at once, never touching the network',
  layer: () => () => () => Promise.resolve(instantResponse()),
};

const mesh = await createMesh({
  service: 'bench',
  watch: false,
  config: { identity: { mode: 'none' }, services: { hello: { endpoints: ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3', '127.0.0.1:4', '127.0.0.1:5'], tls: 'none' } } },
  endpointStack: (s) => s.push(noopTransport, 'innermost'),
});
await mesh.ready();

const opts = { origin: 'http://hello', path: '/', method: 'GET', headers: null };
const baseline = {
  dispatch(o, h) {
    h.onConnect?.(noop);
    Promise.resolve(instantResponse()).then((r) => r.deliver(h));
    return true;
  },
};

function run(dispatcher, calls) {
  return new Promise((resolve) => {
    let done = 0;
    const t0 = process.hrtime.bigint();
    const handler = {
      onConnect() {},
      onHeaders() {
        return true;
      },
      onData() {
        return true;
      },
      onComplete() {
        if (++done === calls) resolve(Number(process.hrtime.bigint() - t0) / calls / 1000);
        else if (done % 64 === 0) next();
      },
      onError(err) {
        throw err;
      },
    };
    // 64 calls in flight at a time, so promise chains interleave as under real load.
    let sent = 0;
    const next = () => {
      for (let i = 0; i < 64 && sent < calls; i++, sent++) dispatcher.dispatch(opts, handler);
    };
    next();
  });
}

for (let i = 0; i < 3; i++) {
  await run(baseline, 50000);
  await run(mesh.dispatcher, 50000);
}
const best = { base: Infinity, mesh: Infinity };
for (let r = 0; r < 5; r++) {
  best.base = Math.min(best.base, await run(baseline, CALLS));
  best.mesh = Math.min(best.mesh, await run(mesh.dispatcher, CALLS));
}
console.log(`stack overhead over a no-op transport, ${CALLS} calls, best of 5`);
console.log(`  baseline dispatch   ${best.base.toFixed(3)} µs/call`);
console.log(`  mesh client path    ${best.mesh.toFixed(3)} µs/call`);
console.log(`  mesh adds           ${(best.mesh - best.base).toFixed(3)} µs/call   (target ≤ 3 µs)`);
await mesh.close();
