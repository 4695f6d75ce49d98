import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
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

let burner: ChildProcess | undefined;
afterEach(() => {
  burner?.kill('SIGKILL');
  burner = undefined;
});

describe('inmesh demo', () => {
  it('runs example services, calls them through the mesh, prints golden metrics, and stops', async () => {
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
    // Its dev CA lived in a directory of its own, gone once it stopped.
    const caDir = /dev CA \(([^)]+)\)/.exec(text)![1]!;
    expect(existsSync(caDir)).toBe(false);
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
