// Memory: how much RSS the mesh adds with 200 services of 5 endpoints each, against the
// same process before createMesh. Run with --expose-gc (npm run bench:memory does).
import { createMesh } from '../dist/index.js';

const SERVICES = 200;
const ENDPOINTS = 5;

function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc?.();
  return process.memoryUsage();
}

if (!globalThis.gc) console.warn('run with node --expose-gc for stable numbers');
// The libraries the mesh loads on first use (zod at the first validation, …) are in `before`,
// so that `added` is what the services and endpoints cost.
const empty = await createMesh({ service: 'bench', watch: false, config: { identity: { mode: 'none' }, services: {} } });
await empty.close();
const before = settle();
const services = {};
for (let s = 0; s < SERVICES; s++) {
  services[`svc-${s}`] = { tls: 'none', endpoints: Array.from({ length: ENDPOINTS }, (_, e) => `127.0.0.${1 + (s % 200)}:${10000 + e}`) };
}
const mesh = await createMesh({ service: 'bench', watch: false, config: { identity: { mode: 'none' }, services } });
await mesh.ready();
const after = settle();
const mb = (n) => (n / 1024 / 1024).toFixed(1);
console.log(`memory with ${SERVICES} services × ${ENDPOINTS} endpoints (no connections open yet)`);
console.log(`  rss        before ${mb(before.rss)} MB   after ${mb(after.rss)} MB   added ${mb(after.rss - before.rss)} MB   (target ≤ 15 MB)`);
console.log(`  heapUsed   before ${mb(before.heapUsed)} MB   after ${mb(after.heapUsed)} MB   added ${mb(after.heapUsed - before.heapUsed)} MB`);
await mesh.close();
