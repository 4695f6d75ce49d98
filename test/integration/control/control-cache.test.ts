import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMesh } from '../../../src/index.js';
import { ControlDaemon } from '../../helpers/control-stand-in.js';
import { controlBlock, workloadDir } from '../../helpers/control-workload.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startNamedServer, waitFor } from '../../helpers/http-server.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

let daemon: ControlDaemon | undefined;
const open = closeAfterEach();
afterEach(async () => daemon?.stop());

const daemonYaml = (timeout: string) =>
  ['trustDomain: shop.local', 'control: { url: "https://127.0.0.1:7070" }', 'services:', `  orders: { discovery: { control: true }, tls: none, timeout: ${timeout} }`, ''].join('\n');

describe('static stability: the disk cache', () => {
  it('starts from the cached config, endpoints and certificate when the daemon is away, and calls succeed', async () => {
    const backend = open.add(await startNamedServer('a'));
    const d = (daemon = new ControlDaemon({ yaml: daemonYaml('1234ms') }));
    await d.start();
    d.register('orders', backend.address);
    const dirs = workloadDir(d);
    const config = { identity: { mode: 'control' }, control: controlBlock(d, dirs) };
    const first = await createMesh({ service: 'checkout', logger: new RecordingLogger(), config });
    await first.ready();
    expect((await first.request('http://orders/')).statusCode).toBe(200);
    await waitFor(() => readdirSync(join(dirs.cacheDir, 'checkout')).length >= 3, 2000, 'the cache entries');
    await first.close();

    const dir = join(dirs.cacheDir, 'checkout');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['config.json', 'endpoints-orders.json', 'identity.json']);
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);

    await d.stop();
    const log = new RecordingLogger();
    const started = Date.now();
    const second = open.add(await createMesh({ service: 'checkout', logger: log, config }));
    await second.ready();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(second.config.services.orders!.timeout).toBe(1234);
    expect(log.at('info').some((e) => /cached certificate/.test(e.msg))).toBe(true);
    for (let i = 0; i < 20; i++) expect((await second.request('http://orders/')).statusCode).toBe(200);

    // The daemon back: its certificate replaces the cached one, its changes flow.
    const issued = d.issued;
    await d.start();
    d.setConfig(daemonYaml('777ms'));
    await waitFor(() => second.config.services.orders!.timeout === 777, 8000, 'the daemon to be caught up with');
    await waitFor(() => d.issued > issued, 8000, 'a renewal from the daemon');
  });

  it('ignores corrupted entries with a warning and starts from the local file', async () => {
    const backend = open.add(await startNamedServer('local'));
    const d = (daemon = new ControlDaemon({ yaml: daemonYaml('1s') }));
    const dirs = workloadDir(d);
    await d.start();
    await d.stop();
    const dir = join(dirs.cacheDir, 'checkout');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'config.json'), '{"version": 3, "yaml": ', { mode: 0o600 });
    writeFileSync(join(dir, 'endpoints-orders.json'), 'not json at all', { mode: 0o600 });
    const log = new RecordingLogger();
    const mesh = open.add(
      await createMesh({
        service: 'checkout',
        logger: log,
        config: { identity: { mode: 'none' }, control: controlBlock(d, dirs), services: { orders: { endpoints: [backend.address], tls: 'none' } } },
      }),
    );
    const warnings = log.at('warn').filter((e) => /corrupted entry/.test(e.msg));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect((await mesh.request('http://orders/')).statusCode).toBe(200);
    expect(mesh.config.services.orders!.discovery.kind).toBe('static');
  });
});
