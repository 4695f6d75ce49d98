import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { ControlDaemon } from '../../helpers/control-stand-in.js';
import { controlBlock, workloadDir } from '../../helpers/control-workload.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, startNamedServer, waitFor } from '../../helpers/http-server.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

let daemon: ControlDaemon | undefined;
const open = closeAfterEach();
afterEach(async () => daemon?.stop());

async function outcome(mesh: Mesh): Promise<string> {
  try {
    const res = await mesh.request('http://orders/');
    return `${res.statusCode} ${await res.body.text()}`;
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('configuration from the control daemon', () => {
  it('applies a change within a second and refuses an invalid one, keeping the last good', async () => {
    const slow = open.add(await startHttpServer((_req, res) => void setTimeout(() => res.end('slow'), 300)));
    const d = (daemon = new ControlDaemon({ yaml: `services:\n  orders:\n    endpoints: ["${slow.address}"]\n    tls: none\n` }));
    await d.start();
    const log = new RecordingLogger();
    const mesh = open.add(await createMesh({ service: 'checkout', logger: log, config: { identity: { mode: 'none' }, control: controlBlock(d, workloadDir(d)) } }));
    expect(await outcome(mesh)).toBe('200 slow');

    const changedAt = Date.now();
    d.setConfig(`services:\n  orders:\n    endpoints: ["${slow.address}"]\n    tls: none\n    timeout: 100ms\n`);
    await waitFor(() => mesh.config.services.orders?.timeout === 100, 1000, 'the new timeout');
    expect(Date.now() - changedAt).toBeLessThan(1000);
    expect(await outcome(mesh)).toBe('MESH_ERR_DEADLINE_EXCEEDED');

    const bad = d.setConfig(`services:\n  orders:\n    endpoints: ["${slow.address}"]\n    timeout: soon\n`);
    await waitFor(() => log.at('error').some((e) => /configuration refused/.test(e.msg)), 1000, 'the refusal');
    const refusal = log.at('error').find((e) => /configuration refused/.test(e.msg))!;
    expect(String(refusal.fields?.error)).toContain(`control v${bad}:4:`);
    expect(mesh.config.services.orders?.timeout).toBe(100);
    expect(await mesh.metrics.getSingleMetricAsString('inmesh_config_reloads_total')).toMatch(/result="rejected"\} 1/);
    expect(await outcome(mesh)).toBe('MESH_ERR_DEADLINE_EXCEEDED');
  });

  it('merges: the daemon replaces the services it names whole, local-only services and workload keys stay, a file edit re-merges', async () => {
    const a = open.add(await startNamedServer('a'));
    const b = open.add(await startNamedServer('b'));
    const c = open.add(await startNamedServer('c'));
    const d = (daemon = new ControlDaemon({
      yaml: [
        'mesh: shop',
        'inbound: { maxConcurrent: 1 }',
        'services:',
        `  orders: { endpoints: ["${b.address}"], tls: none }`,
        'authorization:',
        '  checkout: [{ from: ["spiffe://shop.local/svc/web"] }]',
        '',
      ].join('\n'),
    }));
    await d.start();
    const dirs = workloadDir(d);
    const file = join(dirs.dir, 'mesh.yaml');
    const local = (extra: string) =>
      [
        'mesh: local',
        'identity: { mode: none }',
        `control: { url: "${d.url}", caFile: "${dirs.caFile}", cacheDir: "${dirs.cacheDir}" }`,
        'inbound: { maxConcurrent: 50 }',
        'services:',
        `  orders: { endpoints: ["${a.address}"], tls: none, timeout: 5s, retries: { attempts: 4 } }`,
        `  payments: { endpoints: ["${c.address}"], tls: none }`,
        extra,
        '',
      ].join('\n');
    writeFileSync(file, local(''));
    const mesh = open.add(await createMesh({ service: 'checkout', logger: new RecordingLogger(), config: file }));
    const cfg = mesh.config;
    expect(cfg.mesh).toBe('shop');
    expect(cfg.inbound.maxConcurrent).toBe(50);
    expect(cfg.services.orders!.discovery).toMatchObject({ kind: 'static', endpoints: [{ address: b.address }] });
    // Replaced whole: the local timeout and retries are not carried over.
    expect(cfg.services.orders!.timeout).not.toBe(5000);
    expect(cfg.services.orders!.retries.attempts).not.toBe(4);
    expect(cfg.services.payments!.discovery).toMatchObject({ endpoints: [{ address: c.address }] });
    expect(cfg.authorization.checkout).toHaveLength(1);
    expect(await outcome(mesh)).toContain('"name":"b"');

    writeFileSync(file, local(`  inventory: { endpoints: ["${a.address}"], tls: none }`));
    await waitFor(() => mesh.config.services.inventory !== undefined, 3000, 'the file edit');
    expect(mesh.config.services.orders!.discovery).toMatchObject({ endpoints: [{ address: b.address }] });
    expect(mesh.config.mesh).toBe('shop');
  });
});
