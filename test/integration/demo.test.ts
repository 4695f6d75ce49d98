import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';

describe('inmesh demo', () => {
  it('runs example services, calls them through the mesh, prints golden metrics, and stops', async () => {
    const lines: string[] = [];
    const code = await runDemo(['--requests', '600', '--concurrency', '8'], { log: (s) => lines.push(s), error: (s) => lines.push(`ERROR ${s}`) });
    const text = lines.join('\n');
    expect(code, text).toBe(0);
    expect(text).toMatch(/SERVICE \/ ENDPOINT\s+REQUESTS\s+SHARE\s+SUCCESS\s+RPS\s+P50\s+P90\s+P99/);
    // Three orders endpoints and two inventory endpoints, each with a row.
    expect(text.match(/^ {2}127\.0\.0\.1:\d+/gm)).toHaveLength(5);
    // Retries hide the failing inventory endpoint's 503s from callers.
    expect(text).toMatch(/^inventory\s+300\s+100\.00%/m);
    expect(text).toMatch(/callers saw 100\.00% success over 300 calls/);
    expect(text).toMatch(/stopped: checkout closed, then each service drained/);
    expect(text).not.toMatch(/ERROR/);
  });
});
