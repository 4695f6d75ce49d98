import type { Mesh } from '../index.js';

export interface CallLoad {
  /** Calls to make at most. */
  readonly calls: number;
  /** Calls in flight at once. */
  readonly concurrency: number;
  /** The URL of the i-th call. */
  readonly url: (i: number) => string;
  /** True once no further call should start (a deadline passed, the demo is stopping). */
  readonly stop?: () => boolean;
}

/** Makes the calls through the mesh, `concurrency` at a time, and counts those that raised an error. */
export async function runCalls(mesh: Mesh, load: CallLoad): Promise<{ made: number; errors: number }> {
  let next = 0;
  let errors = 0;
  const worker = async () => {
    while (next < load.calls && !load.stop?.()) {
      const i = next++;
      try {
        const res = await mesh.request(load.url(i));
        await res.body.dump();
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  return { made: next, errors };
}
