import { runCheck } from './check.js';

const USAGE = `usage: inmesh <command>

  demo [--requests N] [--concurrency N]   run a small mesh of example services on loopback and print its golden metrics
  check [mesh.yaml]                        validate a mesh.yaml: every problem with file:line:col, or a summary

Coming with later releases: control, sidecar, stat, token.`;

const console_ = { log: (s: string) => console.log(s), error: (s: string) => console.error(s) };

/** The `inmesh` command: a thin dispatcher to the code that does the work. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'check':
      return runCheck(args, console_);
    case 'demo': {
      const { runDemo } = await import('../demo/run-demo.js');
      return runDemo(args, console_);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`inmesh: unknown command '${command}'\n\n${USAGE}`);
      return 1;
  }
}
