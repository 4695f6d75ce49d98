import type { DemoOptions } from '../demo/run-demo.js';
import { parseNumberFlags, seconds, UsageError, wholeNumber } from './flags.js';

export const DEMO_USAGE = `usage: inmesh demo [--requests N] [--concurrency N] [--seconds S]

Starts the control daemon (\`inmesh control\`, as a child process) and example services on
loopback that register with it, calls them through the mesh from a \`checkout\` workload that
finds them in its registry, prints their golden metrics, applies a new traffic split to the
daemon and measures it taking effect, and stops everything it started.

  --requests N      calls to make (default 4000)
  --concurrency N   calls in flight at once (default 16)
  --seconds S       stop making calls after S seconds even if requests are left (default 20)
  -h, --help        print this help`;

const flags = [wholeNumber('--requests'), wholeNumber('--concurrency'), seconds('--seconds')];

interface Out {
  log(s: string): void;
  error(s: string): void;
}

/** `inmesh demo [flags]`: refuses bad flags (exit 2) before anything starts. */
export async function demoCommand(args: readonly string[], out: Out): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    out.log(DEMO_USAGE);
    return 0;
  }
  let values: Map<string, number>;
  try {
    values = parseNumberFlags(args, flags);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.error(`inmesh demo: ${e.message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  const options: DemoOptions = { requests: values.get('--requests'), concurrency: values.get('--concurrency'), seconds: values.get('--seconds') };
  const { runDemo } = await import('../demo/run-demo.js');
  return runDemo(options, out);
}
