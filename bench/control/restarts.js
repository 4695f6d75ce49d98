// A workload under load while `inmesh control` restarts, and while its etcd restarts.
//
// Two workloads of the daemon run in this process (identity mode control, certificates from
// the daemon's CA): orders serves through mesh.serve and registers (2 s lease, so renewals
// fail during an outage); checkout calls it through the registry (`discovery: { control: true }`)
// in a closed loop of 8 concurrent calls. Between 1.5 s into the load and 2.5 s after the outage
// ends, the daemon (a process of its own, file store) is killed with SIGTERM and started again on
// the same port and store; then, on an etcd store, etcd is stopped for 3 s and started again.
// Every run is bounded (at most 200,000 calls, 20 s). A failed call is an error or a non-200.
// Target: zero failed calls; the registration back after each outage.
//
// Usage: npm run bench:control-restart        (the etcd part is skipped when no etcd is installed)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createMesh } from '../../dist/index.js';
import { describeMachine } from '../pinned/machine.js';
import { freePort } from '../pinned/free-port.js';
import { startDaemonProcess } from './daemon-process.js';
import { etcdBinary, startEtcdProcess } from './etcd-process.js';

const CONCURRENCY = 8;
const MAX_CALLS = 200_000;
const MAX_MS = 20_000;
const OUTAGE_AFTER_MS = 1500;
// Longer than the lease: a registration still there afterwards was renewed after the outage.
const SETTLE_AFTER_MS = 2500;
const ETCD_DOWN_MS = 3000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

console.log('machine:', JSON.stringify(describeMachine()));
const dir = mkdtempSync(join(tmpdir(), 'inmesh-bench-restart-'));
try {
  const daemonRun = await underLoad('daemon restart (file store)', { store: `file:${join(dir, 'store')}` }, (d) => d.restart());
  let etcdRun;
  if (!etcdBinary()) console.log('etcd restart: skipped (no etcd binary: apt-get install etcd-server, or set ETCD_BIN)');
  else {
    const etcd = await startEtcdProcess();
    try {
      etcdRun = await underLoad('etcd restart (etcd store)', { store: `etcd:${etcd.endpoint}` }, async () => {
        await etcd.stop();
        await new Promise((r) => setTimeout(r, ETCD_DOWN_MS));
        await etcd.start();
      });
    } finally {
      await etcd.remove();
    }
  }
  const failed = daemonRun.failed + (etcdRun?.failed ?? 0);
  console.log(`target: zero failed calls ${failed === 0 ? 'met' : 'NOT met'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs the load around one `outage(daemon)` and prints what the caller saw. */
async function underLoad(name, { store }, outage) {
  const run = mkdtempSync(join(dir, 'run-'));
  const configFile = join(run, 'mesh.yaml');
  writeFileSync(configFile, 'trustDomain: bench.local\n');
  const adminTokenFile = join(run, 'admin.token');
  writeFileSync(adminTokenFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const storeKeyFile = join(run, 'store.key');
  writeFileSync(storeKeyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const daemon = await startDaemonProcess({ configFile, port: await freePort(), store, adminTokenFile, storeKeyFile });
  const caFile = join(run, 'control-ca.pem');
  writeFileSync(caFile, daemon.bundlePem);
  const admin = new Agent({ connect: { ca: daemon.bundlePem } });
  const adminCall = async (method, path, body) => {
    const res = await request(`${daemon.url}${path}`, { method, dispatcher: admin, headers: { 'content-type': 'application/json', authorization: `Bearer ${daemon.adminToken}` }, ...(body && { body: JSON.stringify(body) }) });
    return { status: res.statusCode, json: JSON.parse((await res.body.text()) || 'null') };
  };
  const workload = async (service, extra) =>
    createMesh({
      service,
      shutdown: false,
      logger: quiet,
      config: {
        trustDomain: 'bench.local',
        identity: { mode: 'control', token: (await adminCall('POST', '/v1/tokens', { service, ttlSeconds: 600 })).json.token },
        control: { url: daemon.url, caFile, cacheDir: join(run, `cache-${service}`), instance: { lease: '2s' } },
        ...extra,
      },
    });
  const orders = await workload('orders');
  const checkout = await workload('checkout', { services: { orders: { discovery: { control: true } } } });
  try {
    let served = 0;
    const server = await orders.serve((_req, res) => void (served++, res.end('ok')));
    const address = `127.0.0.1:${server.port}`;
    const registered = async () => {
      const r = await adminCall('GET', '/v1/registry/services/orders').catch(() => undefined);
      return r?.status === 200 && r.json.instances.some((i) => i.address === address);
    };
    // ready() is the first set, which may be from before the registration: wait for orders in it.
    const healthy = async () => (await checkout.metrics.getSingleMetric('inmesh_endpoints').get()).values.some((v) => v.labels.destination_service === 'orders' && v.labels.state === 'healthy' && v.value === 1);
    await until(healthy, 5000);
    let calls = 0;
    let failed = 0;
    const failures = new Map();
    let settled = false;
    let outageMs = 0;
    const started = performance.now();
    const outageDone = (async () => {
      await new Promise((r) => setTimeout(r, OUTAGE_AFTER_MS));
      const t = performance.now();
      await outage(daemon);
      outageMs = performance.now() - t;
      await new Promise((r) => setTimeout(r, SETTLE_AFTER_MS));
      settled = true;
    })();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!settled && calls < MAX_CALLS && performance.now() - started < MAX_MS) {
          calls++;
          try {
            const res = await checkout.request('http://orders/');
            await res.body.text();
            if (res.statusCode !== 200) failures.set(`status ${res.statusCode}`, (failures.get(`status ${res.statusCode}`) ?? 0) + 1);
            if (res.statusCode !== 200) failed++;
          } catch (err) {
            failed++;
            const why = err?.code ?? String(err);
            failures.set(why, (failures.get(why) ?? 0) + 1);
            // A call refused at once settles in a microtask: yield, or a loop of them starves the I/O that would end them.
            await new Promise((r) => setImmediate(r));
          }
        }
      }),
    );
    await outageDone;
    const seconds = (performance.now() - started) / 1000;
    const back = await until(registered, 10_000).then(() => true, () => false);
    console.log(`${name}: ${calls} calls in ${seconds.toFixed(1)} s (${Math.round(calls / seconds)}/s, ${CONCURRENCY} in flight), ${failed} failed, ${served} served by orders${failures.size ? ` ${JSON.stringify(Object.fromEntries(failures))}` : ''}; outage ${(outageMs / 1000).toFixed(1)} s; registration ${back ? 'back' : 'NOT back'} after it`);
    return { failed };
  } finally {
    await checkout.close();
    await orders.close();
    await admin.close();
    await daemon.stop();
  }
}

async function until(check, ms) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
