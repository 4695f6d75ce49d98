import { afterEach, describe, expect, it } from 'vitest';
import { createMesh } from '../../../src/index.js';
import { ControlDaemon } from '../../helpers/control-stand-in.js';
import { controlBlock, workloadDir } from '../../helpers/control-workload.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { waitFor } from '../../helpers/http-server.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

let daemon: ControlDaemon | undefined;
const open = closeAfterEach();
afterEach(async () => daemon?.stop());

const handler = (_req: unknown, res: { end(s: string): void }) => res.end('ok');

describe('mesh.serve registers through the control registry', () => {
  it('registers, renews, re-registers after the daemon restarts empty, and deregisters on close', async () => {
    daemon = await new ControlDaemon().start();
    const d = daemon;
    const dirs = workloadDir(d);
    const mesh = await createMesh({
      service: 'orders',
      logger: new RecordingLogger(),
      shutdown: false,
      config: { identity: { mode: 'none' }, control: controlBlock(d, dirs, { instance: { version: 'v2', labels: { zone: 'a' }, lease: '3s' } }) },
    });
    const server = await mesh.serve(handler);
    const address = `127.0.0.1:${server.port}`;
    expect(d.instances('orders').map((i) => i.address)).toEqual([address]);
    expect(d.instances('orders')[0]!.labels).toEqual({ zone: 'a', version: 'v2' });
    const first = d.writes.find((w) => w.method === 'PUT')!;
    expect(first.body).toMatchObject({ meshed: false, protocols: ['http/1.1', 'h2c'], leaseSeconds: 3 });

    // Renewed every third of the lease: two more PUTs within ~2.5 s, and the instance never lapses.
    await waitFor(() => d.writes.filter((w) => w.method === 'PUT').length >= 3, 4000, 'two renewals');
    expect(d.instances('orders')).toHaveLength(1);

    await d.restart({ empty: true });
    expect(d.instances('orders')).toHaveLength(0);
    await waitFor(() => d.instances('orders').length === 1, 3000, 're-registration');

    await mesh.close();
    expect(d.writes.at(-1)).toMatchObject({ method: 'DELETE', service: 'orders', address });
    expect(d.instances('orders')).toHaveLength(0);
  });

  it('serves while the daemon is away, registers when it comes, and a drain does not wait for an absent daemon', async () => {
    const d = (daemon = new ControlDaemon());
    await d.start();
    const dirs = workloadDir(d);
    await d.stop();
    const mesh = await createMesh({
      service: 'orders',
      logger: new RecordingLogger(),
      shutdown: false,
      config: { identity: { mode: 'none' }, admin: { port: 0 }, control: controlBlock(d, dirs) },
    });
    open.add(mesh);
    const started = Date.now();
    const server = await mesh.serve(handler);
    expect(Date.now() - started).toBeLessThan(3000);
    const res = await fetch(server.url);
    expect(await res.text()).toBe('ok');
    // Static stability: an instance that cannot reach the registry yet is still ready.
    expect((await fetch(`${mesh.admin!.url}/readyz`)).status).toBe(200);
    await d.start();
    await waitFor(() => d.instances('orders').length === 1, 8000, 'the late registration');
    await d.stop();
    const closing = Date.now();
    await mesh.close();
    expect(Date.now() - closing).toBeLessThan(4000);
  });

  it('in identity mode control registers over mTLS with the certificate the daemon issued, and as meshed', async () => {
    const d = (daemon = new ControlDaemon());
    await d.start();
    const dirs = workloadDir(d);
    const mesh = open.add(await createMesh({ service: 'orders', logger: new RecordingLogger(), shutdown: false, config: { trustDomain: d.trustDomain, identity: { mode: 'control' }, control: controlBlock(d, dirs) } }));
    await mesh.serve(handler);
    const put = d.writes.find((w) => w.method === 'PUT')!;
    expect(put.clientCert).toBe(true);
    expect(put.body).toMatchObject({ meshed: true });
    expect(d.instances('orders')[0]!.protocols).toContain('http/1.1');
  });
});
