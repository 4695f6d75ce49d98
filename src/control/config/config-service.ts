import { ConfigValidationError, formatConfigIssue } from '../../index.js';
import type { Logger } from '../../experimental.js';
import { parseMeshConfig, type ConfigAppliedBody } from '../../experimental.js';
import { ControlHttpError } from '../http/control-http-error.js';
import type { ControlStore } from '../store/control-store.js';

/**
 * Puts mesh.yaml texts in force: each is validated whole with the library's own parser, so
 * workloads never get a config they would refuse; one that fails is refused with every issue
 * (line, column, key path) and the version in force stays. Applies run one at a time.
 */
export class ConfigService {
  readonly #store: ControlStore;
  readonly #trustDomain: string;
  readonly #log: Logger;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(store: ControlStore, trustDomain: string, log: Logger) {
    this.#store = store;
    this.#trustDomain = trustDomain;
    this.#log = log;
  }

  /** Validates `yaml` (issues name `file` when given) and applies it; a ControlHttpError 400 with the issues when it is invalid. */
  apply(yaml: string, file?: string): Promise<ConfigAppliedBody> {
    const run = this.#queue.then(() => this.#apply(yaml, file));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(yaml: string, file: string | undefined): Promise<ConfigAppliedBody> {
    let trustDomain: string;
    try {
      trustDomain = parseMeshConfig(yaml, { servedByControl: true, ...(file !== undefined && { file }) }).config.trustDomain;
    } catch (e) {
      if (e instanceof ConfigValidationError) {
        throw new ControlHttpError(400, 'MESH_ERR_CONFIG_INVALID', `the mesh configuration is invalid (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'}); the version in force stays`, { issues: e.issues });
      }
      throw e;
    }
    if (trustDomain !== this.#trustDomain) {
      const issues = [{ ...(file !== undefined && { file }), path: 'trustDomain', message: `trustDomain is ${trustDomain}, but this control daemon's CA is for ${this.#trustDomain}; it cannot change while the daemon runs` }];
      throw new ControlHttpError(400, 'MESH_ERR_CONFIG_INVALID', issues[0]!.message, { issues });
    }
    const current = this.#store.config();
    if (current?.yaml === yaml) return { version: current.version, changed: false };
    const applied = await this.#store.putConfig(yaml);
    this.#log.info('mesh configuration applied', { version: applied.version, ...(file !== undefined && { file }) });
    return { version: applied.version, changed: true };
  }

  /** For a file edit: applies it, or logs why not (each issue as file:line:col) and keeps the last good. */
  async applyFile(yaml: string, file: string): Promise<void> {
    try {
      await this.apply(yaml, file);
    } catch (e) {
      const issues = e instanceof ControlHttpError ? (e.issues ?? []) : [];
      this.#log.error('mesh configuration rejected; the last good one stays in force', {
        file,
        version: this.#store.config()?.version,
        issues: issues.length > 0 ? issues.map(formatConfigIssue) : [(e as Error).message],
      });
    }
  }
}
