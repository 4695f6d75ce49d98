import { describe, expect, it } from 'vitest';
import type { Mesh } from '../../../src/index.js';
import { startTestDaemon, tempDir, type TestDaemon } from '../../helpers/control-daemon.js';
import { DAEMON_YAML, endpointCount, startDaemonWorkload, versionedHandler } from '../../helpers/daemon-workload.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();
const YAML = { 'content-type': 'application/yaml' };

/** The daemon's config with a traffic split for orders between its subsets v1 and v2. */
function splitYaml(v1: number, v2: number): string {
  return `${DAEMON_YAML}services:
  orders:
    discovery: { control: true }
    subsets: { v1: { version: v1 }, v2: { version: v2 } }
    routes:
      - name: split
        backends: [{ subset: v1, weight: ${v1} }, { subset: v2, weight: ${v2} }]
`;
}

/** Two instances of orders, registered as subsets v1 and v2, and a client that calls orders through the registry. */
async function shop(d: TestDaemon): Promise<Mesh> {
  for (const version of ['v1', 'v2']) {
    const orders = open.add(await startDaemonWorkload(d, 'orders', { instance: { version } }));
    await orders.serve(versionedHandler(version));
  }
  const checkout = open.add(await startDaemonWorkload(d, 'checkout', { config: { services: { orders: { discovery: { control: true } } } } }));
  await waitFor(async () => (await endpointCount(checkout, 'orders')) === 2, 2000, 'both subsets in the client');
  return checkout;
}

/** Which subset answered each of `n` calls. */
async function answers(checkout: Mesh, n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await checkout.request('http://orders/');
    expect(res.statusCode).toBe(200);
    const v = await res.body.text();
    seen[v] = (seen[v] ?? 0) + 1;
  }
  return seen;
}

/** PUTs `yaml` as the admin and resolves with the PUT's answer and when the client's next configuration came, in ms after that answer. */
async function applyAndWait(d: TestDaemon, checkout: Mesh, yaml: string): Promise<{ version: number; tookMs: number }> {
  let appliedAt = 0;
  const off = checkout.onConfig(() => (appliedAt = performance.now()));
  try {
    const put = await d.call('PUT', '/v1/config', { admin: true, body: yaml, headers: YAML });
    expect(put.status, put.text).toBe(200);
    const answeredAt = performance.now();
    await waitFor(() => appliedAt > 0, 1000, 'the client to take the new version');
    return { version: put.json.version as number, tookMs: Math.max(0, appliedAt - answeredAt) };
  } finally {
    off();
  }
}

describe('workloads of the real control daemon: configuration pushed with the admin PUT', () => {
  it('a traffic split between subsets v1 and v2 takes effect in the client within a second, and shifts again', async () => {
    const d = await startTestDaemon({ store: `file:${tempDir()}`, yaml: DAEMON_YAML });
    const checkout = await shop(d);
    const before = await answers(checkout, 40);
    expect(Object.keys(before).sort()).toEqual(['v1', 'v2']);

    const allV2 = await applyAndWait(d, checkout, splitYaml(0, 100));
    expect(allV2.tookMs).toBeLessThan(1000);
    expect(await answers(checkout, 50)).toEqual({ v2: 50 });

    const canary = await applyAndWait(d, checkout, splitYaml(80, 20));
    expect(canary.version).toBeGreaterThan(allV2.version);
    const seen = await answers(checkout, 300);
    // 80/20 over 300 calls: v1 between 65% and 92% is far outside chance (binomial σ ≈ 2.3%).
    expect(seen.v1! / 300).toBeGreaterThan(0.65);
    expect(seen.v1! / 300).toBeLessThan(0.92);
  });

  it('a route timeout pushed by the daemon cuts a slow call; an invalid PUT is refused with line-numbered issues and the client keeps the last good config', async () => {
    const d = await startTestDaemon({ store: `file:${tempDir()}`, yaml: DAEMON_YAML });
    const orders = open.add(await startDaemonWorkload(d, 'orders'));
    await orders.serve((req, res) => void setTimeout(() => res.end('slow'), req.url === '/slow' ? 400 : 0));
    const checkout = open.add(await startDaemonWorkload(d, 'checkout', { config: { services: { orders: { discovery: { control: true } } } } }));
    await waitFor(async () => (await endpointCount(checkout, 'orders')) === 1, 2000, 'orders in the client');
    expect((await checkout.request('http://orders/slow')).statusCode).toBe(200);

    const timeoutYaml = `${DAEMON_YAML}services:\n  orders:\n    discovery: { control: true }\n    timeout: 150ms\n`;
    const pushed = await applyAndWait(d, checkout, timeoutYaml);
    expect(pushed.tookMs).toBeLessThan(1000);
    expect(checkout.config.services.orders!.timeout).toBe(150);
    // The deadline travels with the call: the client's timer or the server's own (a 504) ends it first, long before the handler's 400 ms.
    const started = performance.now();
    const cut = await checkout.request('http://orders/slow').then((r) => r.statusCode, (e: { code?: string }) => e.code);
    expect(['MESH_ERR_DEADLINE_EXCEEDED', 504]).toContain(cut);
    expect(performance.now() - started).toBeLessThan(400);

    let reloads = 0;
    checkout.onConfig(() => reloads++);
    const bad = `${DAEMON_YAML}services:\n  orders:\n    discovery: { control: true }\n    timeout: 3 parsecs\n`;
    const refused = await d.call('PUT', '/v1/config', { admin: true, body: bad, headers: YAML });
    expect(refused.status).toBe(400);
    expect(refused.json.error.issues).toEqual([expect.objectContaining({ line: 6, path: 'services.orders.timeout' })]);
    expect((await d.call('GET', '/v1/config')).json.version).toBe(pushed.version);

    // Nothing reaches the client: its config stays the last good one, and calls go on under it.
    await new Promise((r) => setTimeout(r, 300));
    expect(reloads).toBe(0);
    expect(checkout.config.services.orders!.timeout).toBe(150);
    expect(await (await checkout.request('http://orders/')).body.text()).toBe('slow');
  });
});
