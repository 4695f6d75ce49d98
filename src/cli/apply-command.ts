import { readFile } from 'node:fs/promises';
import { formatConfigIssue, type ConfigIssue } from '../core/index.js';
import { ControlPaths, type ConfigAppliedBody } from '../experimental.js';
import { isMeshError } from '../index.js';
import { adminCaller, CONTROL_CLIENT_FLAGS, CONTROL_CLIENT_USAGE, refusalOf } from './control-admin-flags.js';
import { parseOptionFlags, UsageError } from './flags.js';

export const APPLY_USAGE = `usage: inmesh apply -f mesh.yaml [--control URL] [--admin-token-file F] [--ca-file F]

  -f, --file         the mesh.yaml to put in force on the control daemon: it prints the new
                     version, or every problem as file:line:col key.path: message (exit 1)
${CONTROL_CLIENT_USAGE}
  -h, --help         print this help`;

const FLAGS = [{ name: '-f', kind: 'value' as const }, { name: '--file', kind: 'value' as const }, ...CONTROL_CLIENT_FLAGS];

interface Out {
  log(s: string): void;
  error(s: string): void;
}

/** `inmesh apply -f mesh.yaml`: sends the file to the daemon, which validates it as workloads would. */
export async function applyCommand(args: readonly string[], out: Out): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    out.log(APPLY_USAGE);
    return 0;
  }
  let file: string;
  let call: ReturnType<typeof adminCaller>;
  try {
    const p = parseOptionFlags(args, FLAGS);
    if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const given = [...(p.options.get('-f') ?? []), ...(p.options.get('--file') ?? [])];
    if (given.length !== 1) throw new UsageError(given.length === 0 ? '-f mesh.yaml is required' : '-f given more than once');
    file = given[0]!;
    call = adminCaller(p);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.error(`inmesh apply: ${e.message}\n\n${APPLY_USAGE}`);
    return 2;
  }
  try {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      out.error(`inmesh apply: cannot read ${file}: ${(e as Error).message}`);
      return 1;
    }
    const r = await call({ method: 'PUT', path: ControlPaths.config, body: text, contentType: 'application/yaml' });
    if (r.status === 200) {
      const applied = r.body as ConfigAppliedBody;
      out.log(applied.changed ? `applied ${file}: version ${applied.version}` : `${file} is already in force: version ${applied.version}`);
      return 0;
    }
    const issues = r.body?.error?.issues as ConfigIssue[] | undefined;
    if (Array.isArray(issues) && issues.length > 0) {
      for (const issue of issues) out.error(formatConfigIssue({ ...issue, file }));
    } else out.error(`inmesh apply: ${refusalOf(r)}`);
    return 1;
  } catch (e) {
    if (!isMeshError(e)) throw e;
    out.error(`inmesh apply: ${e.message}`);
    return 1;
  }
}
