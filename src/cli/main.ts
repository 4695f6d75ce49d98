import { readFileSync } from 'node:fs';
import { applyCommand } from './apply-command.js';
import { certCommand } from './cert-command.js';
import { runCheck } from './check.js';
import { controlCommand } from './control-command.js';
import { demoCommand } from './demo-command.js';
import { tokenCommand } from './token-command.js';

const USAGE = `usage: inmesh <command>

  demo [--requests N] [--concurrency N] [--seconds S]
                     run a small mesh on loopback (control daemon, example services) and print
                     its golden metrics and a traffic split changed live
  cert inspect|issue|check
                     inspect a PEM file, issue a dev CA certificate as files, or check a
                     server's SPIFFE identity over TLS (\`inmesh cert --help\`)
  check [mesh.yaml]  validate a mesh.yaml: every problem with file:line:col, or a summary
  control --config mesh.yaml [--listen ADDR] [--store file:DIR|memory|etcd:URL,...]
                     run the control daemon: config push, service registry, certificates
                     (\`inmesh control --help\`)
  token create --service NAME --ttl 1h [--multi]
                     a join token from the control daemon for a workload's first certificate
  apply -f mesh.yaml put a mesh.yaml in force on the control daemon
  --version          print the version of inmesh
  --help             print this help (\`inmesh <command> --help\` for a command's)

Coming with later releases: sidecar, stat.`;

interface Out {
  log(s: string): void;
  error(s: string): void;
}

const consoleOut: Out = { log: (s) => console.log(s), error: (s) => console.error(s) };

/** The package's own version, read from the package.json beside src/ or dist/. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(pkg.version);
}

/** The `inmesh` command: a thin dispatcher to the code that does the work. Returns the exit code. */
export async function main(argv: readonly string[], out: Out = consoleOut): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'check':
      return runCheck(args, out);
    case 'cert':
      return certCommand(args, out);
    case 'demo':
      return demoCommand(args, out);
    case 'control':
      return controlCommand(args, out);
    case 'token':
      return tokenCommand(args, out);
    case 'apply':
      return applyCommand(args, out);
    case '-v':
    case '--version':
    case 'version':
      out.log(version());
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      if (command === undefined) {
        out.error(USAGE);
        return 2;
      }
      out.log(USAGE);
      return 0;
    default:
      out.error(`inmesh: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
