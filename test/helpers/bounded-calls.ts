import type { Mesh } from '../../src/index.js';

export interface BoundedCallsOptions {
  readonly count: number;
  readonly concurrency: number;
  /** Stops early when this much time has passed, whatever is left of `count`. */
  readonly maxMs: number;
  /** Told after each finished call, with how many have finished. */
  readonly onDone?: (done: number) => void;
  /** Ends the run before `count` once it returns true (checked before each call). */
  readonly stopWhen?: () => boolean;
}

export interface BoundedCallsResult {
  readonly done: number;
  readonly failed: number;
  /** The first few failures, for the assertion message. */
  readonly errors: string[];
}

/** `count` calls of `url` through `mesh`, `concurrency` at a time, bounded by `maxMs`; a call fails on an error or a status other than 200. */
export async function boundedCalls(mesh: Mesh, url: string, o: BoundedCallsOptions): Promise<BoundedCallsResult> {
  const until = Date.now() + o.maxMs;
  let started = 0;
  let done = 0;
  let failed = 0;
  const errors: string[] = [];
  const fail = (why: string) => {
    failed++;
    if (errors.length < 5) errors.push(why);
  };
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (started < o.count && Date.now() < until && !o.stopWhen?.()) {
        started++;
        try {
          const res = await mesh.request(url);
          await res.body.text();
          if (res.statusCode !== 200) fail(`status ${res.statusCode}`);
        } catch (err) {
          fail(String(err));
          // A call refused at once settles in a microtask: yield, or a loop of them starves the I/O that would end them.
          await new Promise((r) => setImmediate(r));
        }
        o.onDone?.(++done);
      }
    }),
  );
  return { done, failed, errors };
}
