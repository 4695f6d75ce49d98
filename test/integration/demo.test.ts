import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runDemo, type DemoOptions } from '../../src/demo/run-demo.js';

async function demo(options: DemoOptions): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await runDemo(options, { log: (s) => lines.push(s), error: (s) => lines.push(`ERROR ${s}`) });
  return { code, text: lines.join('\n') };
}

/** The orders endpoints' shares as the table shows them (percent, two decimals), and which one the demo made slow. */
function ordersShares(text: string): { slow: string; shares: Map<string, string> } {
  const header = /^ {2}orders\s+(.+?)\s{3}\(the last one adds/m.exec(text);
  const addresses = header![1]!.trim().split(/\s+/);
  const shares = new Map<string, string>();
  for (const a of addresses) {
    const row = new RegExp(`^ {2}${a.replace(/\./g, '\\.')}\\s+(\\d+)\\s+([\\d.]+)%`, 'm').exec(text);
    shares.set(a, row![2]!);
  }
  return { slow: addresses[addresses.length - 1]!, shares };
}

/** v2's share of orders attempts on the demo's `before` or `after` line, percent (200 calls; a retry would add an attempt). */
function v2Share(text: string, when: 'before' | 'after'): number {
  return Number(new RegExp(`^ {2}${when} +v1 [\\d.]+% / v2 ([\\d.]+)% of 2\\d\\d attempts$`, 'm').exec(text)![1]);
}

/** True when nothing listens on 127.0.0.1:port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

let burner: ChildProcess | undefined;
afterEach(() => {
  burner?.kill('SIGKILL');
  burner = undefined;
});

describe('inmesh demo', () => {
  it('runs the control daemon and example services, calls them through the mesh, prints golden metrics, shifts a split live, and stops', async () => {
    const { code, text } = await demo({ requests: 600, concurrency: 8 });
    expect(code, text).toBe(0);
    expect(text).toMatch(/SERVICE \/ ROUTE \/ ENDPOINT\s+REQUESTS\s+SHARE\s+SUCCESS\s+RPS\s+P50\s+P95\s+P99/);
    // Three orders endpoints and two inventory endpoints, each with a row.
    expect(text.match(/^ {2}127\.0\.0\.1:\d+/gm)).toHaveLength(5);
    // With the frameworks installed (as here), the examples use them.
    expect(text).toMatch(/served by mesh\.serve: orders as Express .*inventory as Fastify/);
    // Retries hide the failing inventory endpoint's 503s from callers.
    expect(text).toMatch(/^inventory\s+300\s+100\.00%/m);
    expect(text).toMatch(/callers saw 100\.00% success over 300 calls/);
    expect(text).toMatch(/stopped: checkout closed, then each service drained/);
    expect(text).not.toMatch(/ERROR/);
    // Every call is mTLS: the served app sees checkout by the SPIFFE ID its certificate proves,
    // and another mesh workload that the policy does not name is refused.
    expect(text).toMatch(/"caller":"spiffe:\/\/demo\.local\/svc\/checkout"/);
    expect(text).toMatch(/orders as Express \(mtls:http\/1\.1/);
    // The SDK is installed here (a dev dependency): one call's trace across the workloads is shown.
    expect(text).toMatch(/trace {5}[0-9a-f]{32}: [4-9] spans across checkout → orders \(/);
    expect(text).toMatch(/denied {4}reporting -> GET http:\/\/orders\/api\/orders\/1 -> 403 MESH_ERR_UNAUTHORIZED/);
    // The control daemon served the config, and the registry had what mesh.serve registered: checkout found it there.
    expect(text).toMatch(/^ {2}control {3}inmesh control at https:\/\/127\.0\.0\.1:\d+: .*the registry \(orders 3, inventory 2 instances, registered by mesh\.serve\)/m);
    expect(text).toMatch(/^ {2}discovery checkout found orders at 3 endpoints and inventory at 2 endpoints in the registry/m);
    expect(text).toMatch(/SPIFFE certificates from the daemon's CA/);
    // A new version registers live; a split applied to the daemon moves the calls, measured.
    expect(text).toMatch(/^ {2}registry {2}orders v2 127\.0\.0\.1:\d+ registered by mesh\.serve; in checkout's endpoint set \d+ ms after it started/m);
    expect(text).toMatch(/^ {2}apply {5}PUT https:\/\/127\.0\.0\.1:\d+\/v1\/config .*: config version 2, split 50\/50; in force at checkout \d+ ms later$/m);
    expect(v2Share(text, 'before')).toBe(0);
    const after = v2Share(text, 'after');
    expect(after).toBeGreaterThan(30);
    expect(after).toBeLessThan(70);
    expect(text).toMatch(new RegExp(`^orders split: v2 got 0\\.00% of \\d+ attempts before the change and ${after.toFixed(2).replace('.', '\\.')}% of \\d+ attempts after it: the calls followed the split from 100/0 to 50/50`, 'm'));
    expect(text).toMatch(/stopped: .*deregistered, then the daemon/);
    // The daemon is gone, and so is the directory of its state, CA and the workloads' caches.
    const daemonPort = Number(/inmesh control at https:\/\/127\.0\.0\.1:(\d+)/.exec(text)![1]);
    expect(await refused(daemonPort)).toBe(true);
    const stateDir = /state in ([^)]+)\)/.exec(text)![1]!;
    expect(existsSync(stateDir)).toBe(false);
  });

  it('on a busy machine, p2c still sends the slow orders instance clearly fewer calls, and says so truthfully', async () => {
    // A CPU burner beside the demo (bounded: it stops by itself after 30 s, and is killed after the test).
    burner = spawn(process.execPath, ['-e', 'const end = Date.now() + 30000; while (Date.now() < end) {}'], { stdio: 'ignore' });
    const { code, text } = await demo({ requests: 800, concurrency: 16, seconds: 15 });
    expect(code, text).toBe(0);
    const { slow, shares } = ordersShares(text);
    const slowShare = shares.get(slow)!;
    expect(Number(slowShare), text).toBeLessThan(100 * (1 / 3) * (2 / 3));
    // The claim quotes the share the table shows for that endpoint.
    expect(text).toMatch(new RegExp(`p2c peak-EWMA steered around the instance that adds \\d+ ms: it got ${slowShare.replace('.', '\\.')}% of \\d+ attempts`));
  });
});
