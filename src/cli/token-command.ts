import { parseDuration } from '../config/index.js';
import { ControlPaths, type TokenBody } from '../experimental.js';
import { isMeshError } from '../index.js';
import { adminCaller, CONTROL_CLIENT_FLAGS, CONTROL_CLIENT_USAGE, refusalOf } from './control-admin-flags.js';
import { parseOptionFlags, UsageError } from './flags.js';

export const TOKEN_USAGE = `usage: inmesh token create --service NAME --ttl 1h [--multi] [--control URL]
                          [--admin-token-file F] [--ca-file F]

  create             prints a join token: it lets a workload of NAME get its first
                     certificate from the control daemon (identity.mode: control)
  --service          the one service the token admits
  --ttl              how long it is valid, 60s to 720h (30 days)
  --multi            accepted more than once (default: single-use)
${CONTROL_CLIENT_USAGE}
  -h, --help         print this help`;

const FLAGS = [{ name: '--service', kind: 'value' as const }, { name: '--ttl', kind: 'value' as const }, { name: '--multi', kind: 'switch' as const }, ...CONTROL_CLIENT_FLAGS];

interface Out {
  log(s: string): void;
  error(s: string): void;
}

function ttlSeconds(raw: string | undefined): number {
  if (raw === undefined) throw new UsageError('--ttl is required, e.g. --ttl 1h');
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch {
    throw new UsageError(`--ttl expects a duration such as 10m or 24h, got '${raw}'`);
  }
  const s = Math.ceil(ms / 1000);
  if (s < 60 || s > 30 * 86_400) throw new UsageError(`--ttl must be from 60s to 720h (30 days), got '${raw}'`);
  return s;
}

/** `inmesh token create`: asks the daemon for a join token and prints it alone on stdout (for `$(…)`). */
export async function tokenCommand(args: readonly string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '-h' || sub === '--help' || rest.includes('-h') || rest.includes('--help')) {
    out.log(TOKEN_USAGE);
    return 0;
  }
  let call: ReturnType<typeof adminCaller>;
  let body: { service: string; ttlSeconds: number; singleUse: boolean };
  try {
    if (sub !== 'create') throw new UsageError(sub === undefined ? 'missing subcommand create' : `unknown subcommand '${sub}'`);
    const p = parseOptionFlags(rest, FLAGS);
    if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const service = p.options.get('--service')?.[0];
    if (service === undefined) throw new UsageError('--service NAME is required');
    body = { service, ttlSeconds: ttlSeconds(p.options.get('--ttl')?.[0]), singleUse: !p.options.has('--multi') };
    call = adminCaller(p);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.error(`inmesh token: ${e.message}\n\n${TOKEN_USAGE}`);
    return 2;
  }
  try {
    const r = await call({ method: 'POST', path: ControlPaths.tokens, body: JSON.stringify(body), contentType: 'application/json' });
    if (r.status !== 201 || typeof r.body?.token !== 'string') {
      out.error(`inmesh token create: ${refusalOf(r)}`);
      return 1;
    }
    const made = r.body as TokenBody;
    out.log(made.token);
    out.error(`inmesh token create: a ${body.singleUse ? 'single-use' : 'multi-use'} join token for ${body.service}, valid until ${new Date(made.expiresAt).toISOString()}`);
    return 0;
  } catch (e) {
    if (!isMeshError(e)) throw e;
    out.error(`inmesh token create: ${e.message}`);
    return 1;
  }
}
