import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMesh, type Mesh } from '../../src/index.js';
import { RecordingLogger } from './recording-logger.js';
import { tempDir, type TestDaemon } from './control-daemon.js';

/** The daemon's mesh-wide config in these tests: a trust domain and nothing per service, so workloads' own files decide until an admin PUT. */
export const DAEMON_YAML = 'mesh: shop\ntrustDomain: shop.local\n';

export interface DaemonWorkloadOptions {
  /** `control.instance` (version, labels, lease) for what `mesh.serve` registers. */
  readonly instance?: Record<string, unknown>;
  /** More of the workload's own mesh.yaml (as an object), e.g. `services`. */
  readonly config?: Record<string, unknown>;
}

/** A join token for `service`, made by the daemon's admin API. */
export async function joinToken(d: TestDaemon, service: string): Promise<string> {
  const r = await d.call('POST', '/v1/tokens', { admin: true, body: { service, ttlSeconds: 600 } });
  if (r.status !== 201) throw new Error(`token for ${service}: ${r.status} ${r.text}`);
  return r.json.token as string;
}

/**
 * A workload of the real daemon: identity mode control with a fresh join token (its certificate
 * from the daemon's CA, which is what registration needs), `control.caFile` holding the daemon's
 * bundle, and a cache directory of its own (a shared one would let one workload start from
 * another's certificate). Shutdown signals are left alone: the test closes it.
 */
export async function startDaemonWorkload(d: TestDaemon, service: string, o: DaemonWorkloadOptions = {}): Promise<Mesh> {
  const dir = mkdtempSync(join(tempDir(), `${service}-`));
  const caFile = join(dir, 'control-ca.pem');
  writeFileSync(caFile, d.daemon.bundlePem);
  return createMesh({
    service,
    shutdown: false,
    logger: new RecordingLogger(),
    config: {
      trustDomain: 'shop.local',
      identity: { mode: 'control', token: await joinToken(d, service) },
      control: { url: d.daemon.url, caFile, cacheDir: join(dir, 'cache'), ...(o.instance && { instance: o.instance }) },
      ...o.config,
    },
  });
}

/** How many endpoints discovery gives `mesh` for `service` right now (the `inmesh_endpoints` gauge, every state). */
export async function endpointCount(mesh: Mesh, service: string): Promise<number> {
  const metric = mesh.metrics.getSingleMetric('inmesh_endpoints');
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => v.labels.destination_service === service).reduce((n, v) => n + v.value, 0);
}

/** A handler that answers with `version`, so a test sees which subset served a call. */
export function versionedHandler(version: string) {
  return (_req: unknown, res: { setHeader(k: string, v: string): void; end(s: string): void }): void => {
    res.setHeader('content-type', 'text/plain');
    res.end(version);
  };
}

/** Whether the workload's last exchange with the daemon was answered (`inmesh_control_connected`). */
export async function controlConnected(mesh: Mesh): Promise<boolean> {
  const metric = mesh.metrics.getSingleMetric('inmesh_control_connected');
  return ((await metric?.get())?.values[0]?.value ?? 0) === 1;
}
