import { afterEach, describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { ControlDaemon } from '../../helpers/control-stand-in.js';
import { controlBlock, workloadDir } from '../../helpers/control-workload.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startNamedServer, waitFor } from '../../helpers/http-server.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

let daemon: ControlDaemon;
const open = closeAfterEach();
afterEach(async () => daemon?.stop());

async function meshWithControl(): Promise<Mesh> {
  daemon = await new ControlDaemon().start();
  const dirs = workloadDir(daemon);
  return open.add(
    await createMesh({
      service: 'checkout',
      logger: process.env.DEBUG_LOG ? undefined : new RecordingLogger(),
      config: { identity: { mode: 'none' }, control: controlBlock(daemon, dirs), services: { orders: { discovery: { control: true }, tls: 'none' } } },
    }),
  );
}

async function statusOf(mesh: Mesh): Promise<number> {
  const res = await mesh.request('http://orders/x');
  await res.body.text();
  return res.statusCode;
}

describe('discovery from the control registry', () => {
  it('sees a registration within a second and loses the endpoint on deregistration', async () => {
    const mesh = await meshWithControl();
    const a = open.add(await startNamedServer('a'));
    await mesh.ready();
    const registeredAt = Date.now();
    daemon.register('orders', a.address);
    await waitFor(async () => (await statusOf(mesh).catch(() => 0)) === 200, 1000, 'the registered endpoint');
    expect(Date.now() - registeredAt).toBeLessThan(1000);
    daemon.deregister('orders', a.address);
    await waitFor(async () => (await statusOf(mesh).catch((e: { code?: string }) => e.code)) === ('MESH_ERR_NO_ENDPOINTS' as never), 1000, 'the endpoint to leave');
  });

  it('keeps calling the last set while the daemon is down, and follows changes again once it is back', async () => {
    const mesh = await meshWithControl();
    const a = open.add(await startNamedServer('a'));
    const b = open.add(await startNamedServer('b'));
    daemon.register('orders', a.address);
    await waitFor(async () => (await statusOf(mesh).catch(() => 0)) === 200, 2000, 'the first endpoint');
    await daemon.stop();
    const statuses: number[] = [];
    const until = Date.now() + 1500;
    for (let i = 0; i < 300 && Date.now() < until; i++) statuses.push(await statusOf(mesh));
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const gauge = (await mesh.metrics.getSingleMetricAsString('inmesh_control_connected')).trim().split('\n').pop();
    expect(gauge).toBe('inmesh_control_connected 0');
    await daemon.start();
    daemon.register('orders', b.address);
    daemon.deregister('orders', a.address);
    // The watch is backing off (at most 30 s in general); a recent failure retries within a few seconds.
    await waitFor(async () => (await statusOf(mesh)) === 200 && b.hits() > 0, 10_000, 'calls to reach the new endpoint');
    const before = a.hits();
    for (let i = 0; i < 20; i++) expect(await statusOf(mesh)).toBe(200);
    expect(a.hits()).toBe(before);
    expect(await mesh.metrics.getSingleMetricAsString('inmesh_control_watch_failures_total')).toMatch(/feed="registry"\} [1-9]/);
  });
});
