// Issuing a leaf with the dev CA, key generation included (what a workload start or a
// rotation costs): median and p99 µs per issuance, then issuances per second sustained for
// ~3 s. Targets: under 2 ms each, at least 200/s.
// Usage: npm run bench:identity
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_LEAF_TTL_MS, generateKeyPair, loadOrCreateDevCa } from '../dist/identity/index.js';
import { fmt, percentile } from './bench-util.js';

const SAMPLES = 2000;
const WARMUP = 200;
const SUSTAIN_MS = 3000;
const SUSTAIN_MAX = 100_000;
const TARGET_US = 2000;
const TARGET_PER_S = 200;

const base = mkdtempSync(join(tmpdir(), 'inmesh-bench-identity-'));
try {
  const ca = await loadOrCreateDevCa(join(base, '.inmesh'), 'bench.local');
  let n = 0;
  const issueOne = () => {
    const { publicKey } = generateKeyPair();
    return ca.issue({ publicKey, spiffeId: `spiffe://bench.local/svc/s${n++ % 64}`, ttl: DEV_LEAF_TTL_MS, ipAddresses: ['127.0.0.1'] });
  };

  for (let i = 0; i < WARMUP; i++) issueOne();
  const lat = new Float64Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    issueOne();
    lat[i] = (performance.now() - t) * 1000;
  }
  lat.sort();
  const p50 = percentile(lat, 0.5);
  const p99 = percentile(lat, 0.99);

  let count = 0;
  const start = performance.now();
  while (count < SUSTAIN_MAX && performance.now() - start < SUSTAIN_MS) {
    issueOne();
    count++;
  }
  const perSecond = count / ((performance.now() - start) / 1000);

  console.log(`leaf issuance with the dev CA (P-256 key generation included), Node ${process.version}`);
  console.log(`  median µs ${fmt(p50, 1)}   (target < ${TARGET_US})`);
  console.log(`  p99 µs    ${fmt(p99, 1)}   (target < ${TARGET_US})`);
  console.log(`  per s     ${fmt(perSecond)}   (target ≥ ${TARGET_PER_S}; ${count} leaves in ${SUSTAIN_MS / 1000} s)`);
  const ok = p99 < TARGET_US && perSecond >= TARGET_PER_S;
  console.log(ok ? 'targets met' : 'TARGETS MISSED');
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(base, { recursive: true, force: true });
}
