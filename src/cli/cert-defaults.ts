import { existsSync } from 'node:fs';
import { loadMeshConfigFile } from '../config/index.js';

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
export const DEFAULT_DEV_CA_DIR = '.inmesh';

/**
 * The trust domain and dev CA directory of the mesh.yaml in the working directory, when there
 * is one: run beside a workload, `inmesh cert` then issues and checks for that workload's mesh.
 * A mesh.yaml that does not load is `inmesh check`'s business; the built-in defaults apply.
 */
export function certDefaults(cwdMeshYaml = 'mesh.yaml'): { trustDomain: string; dir: string } {
  if (existsSync(cwdMeshYaml)) {
    try {
      const { config } = loadMeshConfigFile(cwdMeshYaml);
      return { trustDomain: config.trustDomain, dir: config.identity.mode === 'dev' ? config.identity.dir : DEFAULT_DEV_CA_DIR };
    } catch {
      // fall through to the defaults
    }
  }
  return { trustDomain: DEFAULT_TRUST_DOMAIN, dir: DEFAULT_DEV_CA_DIR };
}
