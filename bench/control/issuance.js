// Certificates issued by `inmesh control` over its HTTPS API: CSRs with a join token, 8
// connections in flight, for ~3 s (at most 20,000 requests). The daemon's rate limit is
// raised for the measurement, so it shows what the daemon can sign, not the limit (500/s by
// default). The client runs in the same process and takes its share of the CPU.
// Target: at least 200 issuances per second.
// Usage: npm run bench:control-issuance (also the first part of npm run bench:control)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startControlDaemon } from '../../dist/control/control-daemon.js';
import { createCsr, generateKeyPair } from '../../dist/identity/index.js';
import { percentile } from '../bench-util.js';
import { describeMachine } from '../pinned/machine.js';

const CONNECTIONS = 8;
const SUSTAIN_MS = 3000;
const MAX_REQUESTS = 20_000;
const CSRS = 500;
const TARGET_PER_S = 200;

console.log('machine:', JSON.stringify(describeMachine()));
const dir = mkdtempSync(join(tmpdir(), 'inmesh-bench-control-'));
const configFile = join(dir, 'mesh.yaml');
writeFileSync(configFile, 'trustDomain: bench.local\n');
const daemon = await startControlDaemon({ configFile, listen: '127.0.0.1:0', store: 'memory', announce: () => {}, issuanceRate: { perSecond: 1e6, burst: 1e6 } });
const agent = new Agent({ connect: { ca: daemon.bundlePem }, connections: CONNECTIONS });
try {
  const call = async (path, body, token) => {
    const res = await request(new URL(path, daemon.url), { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  };
  const token = JSON.parse((await call('/v1/tokens', { service: 'orders', ttlSeconds: 600, singleUse: false }, daemon.adminToken)).text).token;
  const csrs = Array.from({ length: CSRS }, () => createCsr({ privateKey: generateKeyPair().privateKey, spiffeId: 'spiffe://bench.local/svc/orders' }));
  const latencies = [];
  let sent = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + SUSTAIN_MS;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline && sent < MAX_REQUESTS) {
        const csr = csrs[sent++ % CSRS];
        const t = performance.now();
        const r = await call('/v1/identity/certificates', { service: 'orders', csr, ttlSeconds: 3600 }, token);
        latencies.push(performance.now() - t);
        if (r.status !== 200) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const issued = latencies.length - failed;
  latencies.sort((a, b) => a - b);
  const rate = issued / seconds;
  console.log(`control issuance: ${issued} certificates in ${seconds.toFixed(2)} s = ${Math.round(rate)}/s (target ≥ ${TARGET_PER_S}/s ${rate >= TARGET_PER_S ? 'met' : 'NOT met'}), ${failed} refused`);
  console.log(`  latency per request with ${CONNECTIONS} in flight: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`);
} finally {
  await agent.close();
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
}
