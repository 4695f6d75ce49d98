// The default client stack over a no-op transport: what the mesh itself costs per call,
// with no socket. The whole client path is measured (dispatcher, host lookup, context, stack,
// balancer, endpoint stack, delivery) against a baseline dispatcher that only answers.
// Usage: npm run bench:stack [-- --calls 300000]
import { createMesh } from '../dist/index.js';
import { inboundScope } from '../dist/core/inbound-scope.js';
import { Cancellation } from '../dist/core/context.js';

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

const endpoints = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3', '127.0.0.1:4', '127.0.0.1:5'];
const defaults = { endpoints, tls: 'none' };
// Every layer of the resilience issue on: deadline, a route match, concurrency limit, service
// and endpoint breakers, retries with a budget, per-try timeout, outlier detection.
const everything = {
  ...defaults,
  timeout: '2s',
  perTryTimeout: '500ms',
  retries: { attempts: 3, on: ['connect-failure', 'reset', 503] },
  circuitBreaker: { errorThresholdPercentage: 50, volumeThreshold: 20, resetTimeout: '10s' },
  concurrency: { maxInFlight: 10000, maxPending: 0 },
  routes: [{ name: 'api', match: { path: { prefix: '/' }, methods: ['GET'] } }],
};
async function meshWith(service) {
  const m = await createMesh({
    service: 'bench',
    watch: false,
    config: { identity: { mode: 'none' }, services: { hello: service } },
    endpointStack: (s) => s.push(noopTransport, 'innermost'),
  });
  await m.ready();
  return m;
}
const mesh = await meshWith(defaults);
const full = await meshWith(everything);

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

/** Runs `fn` inside an inbound scope, as a handler served by mesh.serve does. */
const inScope = (fn) => inboundScope.run({ deadline: Infinity, cancellation: new Cancellation(), otel: undefined, peer: undefined, service: 'bench' }, fn);
const cases = {
  'baseline dispatch': () => run(baseline, CALLS),
  'default stack': () => run(mesh.dispatcher, CALLS),
  'every layer on': () => run(full.dispatcher, CALLS),
  'baseline, in an inbound scope': () => inScope(() => run(baseline, CALLS)),
  'every layer on, in an inbound scope': () => inScope(() => run(full.dispatcher, CALLS)),
};
for (let i = 0; i < 3; i++) for (const d of [baseline, mesh.dispatcher, full.dispatcher]) await run(d, 50000);
const best = {};
for (let r = 0; r < 5; r++) for (const [name, f] of Object.entries(cases)) best[name] = Math.min(best[name] ?? Infinity, await f());
console.log(`stack overhead over a no-op transport, ${CALLS} calls, best of 5 (µs per call; target: the mesh adds ≤ 3 µs)`);
const base = best['baseline dispatch'];
const scopedBase = best['baseline, in an inbound scope'];
for (const [name, us] of Object.entries(best)) {
  const against = name.includes('scope') ? scopedBase : base;
  console.log(`  ${name.padEnd(38)} ${us.toFixed(3)}   mesh adds ${(us - against).toFixed(3)}`);
}
await mesh.close();
await full.close();
