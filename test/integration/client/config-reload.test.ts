import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startNamedServer, waitFor } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);
let dir: string | undefined;


function yamlFor(endpoints: string[], extra = ''): string {
  return `services:\n  orders:\n    tls: none\n    endpoints: [${endpoints.map((e) => `"${e}"`).join(', ')}]\n${extra}`;
}

/** Atomic replace, as editors and config-management tools write files. */
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

describe('configuration reload', () => {
  it('moves traffic to new endpoints mid-traffic with no failed call, and refuses an invalid edit', async () => {
    const [a, b] = await Promise.all([startNamedServer('a'), startNamedServer('b')]);
    open.add(a!);
    open.add(b!);
    dir = mkdtempSync(join(tmpdir(), 'inmesh-reload-'));
    const file = join(dir, 'mesh.yaml');
    writeFileSync(file, yamlFor([a!.address]));
    mesh = await createMesh({ service: 'checkout', config: file });
    await mesh.ready();
    const seenVersions: number[] = [];
    mesh.onConfig((s) => seenVersions.push(s.version));

    // Steady traffic from 8 workers while the file changes underneath (bounded by count and time).
    const served: Record<string, number> = {};
    let failures = 0;
    let calls = 0;
    let stop = false;
    const m = mesh;
    const until = Date.now() + 10_000;
    const worker = async () => {
      while (!stop && calls < 20_000 && Date.now() < until) {
        calls++;
        try {
          const res = await m.request('http://orders/');
          const { name } = (await res.body.json()) as { name: string };
          served[name] = (served[name] ?? 0) + 1;
        } catch {
          failures++;
        }
      }
    };
    const workers = Promise.all(Array.from({ length: 8 }, worker));
    await waitFor(() => (served.a ?? 0) > 200, 5000, 'traffic to a');
    writeAtomically(file, yamlFor([b!.address]));
    await waitFor(() => seenVersions.length === 1, 5000, 'the reload');
    const bBefore = served.b ?? 0;
    await waitFor(() => (served.b ?? 0) > bBefore + 200, 5000, 'traffic to b');
    const aAfterSwitch = served.a ?? 0;

    writeAtomically(file, yamlFor([a!.address], '    loadBalancer: no-such-balancer\n'));
    await waitFor(async () => (await m.metrics.getSingleMetricAsString('inmesh_config_reloads_total')).includes('result="rejected"} 1'), 5000, 'the rejection');
    const bMid = served.b ?? 0;
    await waitFor(() => (served.b ?? 0) > bMid + 200, 5000, 'more traffic to b');
    stop = true;
    await workers;

    expect(failures).toBe(0);
    expect(seenVersions).toHaveLength(1);
    expect(mesh.config.services.orders!.discovery).toMatchObject({ kind: 'static', endpoints: [{ address: b!.address }] });
    // Once the switch took effect no new call went to a, also not after the rejected edit.
    expect(served.a).toBe(aAfterSwitch);
  });

  it('mesh.reload refuses an invalid object whole and keeps the last good config', async () => {
    const [a] = await Promise.all([startNamedServer('a')]);
    open.add(a!);
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { endpoints: [a!.address], tls: 'none' } } } });
    await expect(mesh.reload({ services: { orders: { endpoints: ['not an address'] } } })).rejects.toMatchObject({ code: 'MESH_ERR_CONFIG_INVALID' });
    const res = await mesh.request('http://orders/');
    expect(await res.body.json()).toMatchObject({ name: 'a' });
  });
});
