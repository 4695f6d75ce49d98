import { readFileSync, statSync } from 'node:fs';
import { ConfigValidationError, formatConfigIssue, MeshError } from '../../index.js';
import { parseMeshConfig } from '../../experimental.js';

export interface StartingConfig {
  readonly text: string;
  readonly trustDomain: string;
  /** When the file was last written: at start, the newer of it and the stored config is in force. */
  readonly mtimeMs: number;
}

function refuse(message: string, cause: unknown): MeshError {
  return new MeshError('MESH_ERR_CONFIG_INVALID', message, { cause });
}

/** The `--config` file the daemon starts with; a daemon does not start on an invalid one (every issue as file:line:col). */
export function readConfigFile(file: string): StartingConfig {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw refuse(`cannot read the mesh configuration ${file}: ${(e as Error).message}`, e);
  }
  try {
    return { text, trustDomain: parseMeshConfig(text, { file, servedByControl: true }).config.trustDomain, mtimeMs };
  } catch (e) {
    if (e instanceof ConfigValidationError) throw refuse(`the mesh configuration ${file} is invalid:\n${e.issues.map((i) => `  ${formatConfigIssue(i)}`).join('\n')}`, e);
    throw e;
  }
}

