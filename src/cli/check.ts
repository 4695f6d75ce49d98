import { ConfigValidationError, formatConfigIssue } from '../core/index.js';
import { loadMeshConfigFile, preloadConfigLibraries } from '../config/load.js';
import { summarizeConfig } from '../config/summary.js';

const USAGE = 'usage: inmesh check [mesh.yaml]';

/**
 * `inmesh check [mesh.yaml]`: validates a mesh.yaml (default ./mesh.yaml). Prints every problem, one per
 * line as `file:line:col key.path: message`, and returns 1; or prints a summary and returns 0.
 * A usage error returns 2.
 *
 * @example
 * process.exitCode = await runCheck(['mesh.yaml'], console);
 */
export async function runCheck(args: string[], out: { log(s: string): void; error(s: string): void }): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    out.log(USAGE);
    return 0;
  }
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown !== undefined || args.length > 1) {
    out.error(unknown !== undefined ? `inmesh check: unknown option '${unknown}'\n${USAGE}` : USAGE);
    return 2;
  }
  const file = args[0] ?? 'mesh.yaml';
  try {
    await preloadConfigLibraries(file);
    const snapshot = loadMeshConfigFile(file);
    out.log(summarizeConfig(snapshot));
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigValidationError)) throw e;
    for (const issue of e.issues) out.error(formatConfigIssue(issue));
    return 1;
  }
}
