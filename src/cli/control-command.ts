import { isMeshError } from '../index.js';
import type { Logger } from '../experimental.js';
import { startControlDaemon } from '../control/control-daemon.js';
import { parseListenAddress } from '../control/listen-address.js';
import { parseStoreSpec } from '../control/store/store-spec.js';
import { parseOptionFlags, UsageError, type OptionFlag } from './flags.js';

export const CONTROL_USAGE = `usage: inmesh control --config mesh.yaml [--listen 127.0.0.1:7070]
                      [--store file:DIR | memory | etcd:URL,...] [--store-key-file F]
                      [--admin-token-file F]

  --config           the mesh.yaml served to workloads; edits of it push a new version,
                     and its trustDomain is the one the daemon's CA issues for
  --listen           host:port of the HTTPS API (default 127.0.0.1:7070; port 0 picks one)
  --store            where the state is kept: file:DIR (the default, .inmesh/control),
                     memory (nothing kept), or etcd:URL,... (several daemons share it)
  --store-key-file   32 bytes (hex, base64 or raw) that seal the CA and token keys at rest
                     (default: $INMESH_CONTROL_STORE_KEY_FILE)
  --admin-token-file the admin token to accept, instead of one generated at first start
  -h, --help         print this help

Runs until SIGTERM or SIGINT.`;

const FLAGS: OptionFlag[] = [
  { name: '--config', kind: 'value' },
  { name: '--listen', kind: 'value' },
  { name: '--store', kind: 'value' },
  { name: '--store-key-file', kind: 'value' },
  { name: '--admin-token-file', kind: 'value' },
];

interface Out {
  log(s: string): void;
  error(s: string): void;
}

/** Log lines on standard error, `inmesh control: message {fields}`; debug stays quiet. */
function lineLogger(out: Out): Logger {
  const line = (level: string) => (msg: string, fields?: Record<string, unknown>) => out.error(`inmesh control: ${level === 'info' ? '' : `${level}: `}${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  return { debug() {}, info: line('info'), warn: line('warn'), error: line('error') };
}

/** `inmesh control`: starts the daemon and runs until SIGTERM/SIGINT, then closes it. */
export async function controlCommand(args: readonly string[], out: Out, stopped?: Promise<unknown>): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    out.log(CONTROL_USAGE);
    return 0;
  }
  let o: ReturnType<typeof parseOptionFlags>;
  try {
    o = parseOptionFlags(args, FLAGS);
    if (o.positionals.length > 0) throw new UsageError(`unexpected argument '${o.positionals[0]}'`);
    if (!o.options.has('--config')) throw new UsageError('--config mesh.yaml is required');
    // Flag values are checked here so that a typo is a usage error (exit 2), not a failed start.
    for (const [flag, check] of [['--listen', parseListenAddress], ['--store', parseStoreSpec]] as const) {
      const value = o.options.get(flag)?.[0];
      if (value === undefined) continue;
      try {
        check(value);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.error(`inmesh control: ${e.message}\n\n${CONTROL_USAGE}`);
    return 2;
  }
  const one = (name: string) => o.options.get(name)?.[0];
  const storeKeyFile = one('--store-key-file') ?? (process.env.INMESH_CONTROL_STORE_KEY_FILE || undefined);
  const adminTokenFile = one('--admin-token-file');
  let daemon;
  try {
    daemon = await startControlDaemon({
      configFile: one('--config')!,
      ...(one('--listen') !== undefined && { listen: one('--listen') }),
      ...(one('--store') !== undefined && { store: one('--store') }),
      ...(storeKeyFile !== undefined && { storeKeyFile }),
      ...(adminTokenFile !== undefined && { adminTokenFile }),
      log: lineLogger(out),
      announce: (line) => out.error(line),
    });
  } catch (e) {
    if (!isMeshError(e)) throw e;
    out.error(`inmesh control: ${e.message}`);
    return 1;
  }
  out.log(`inmesh control: listening on ${daemon.url}`);
  const signalled =
    stopped ??
    new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
  await signalled;
  await daemon.close();
  out.log('inmesh control: stopped');
  return 0;
}
