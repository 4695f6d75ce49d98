import { existsSync } from 'node:fs';
import { loadMeshConfigFile } from '../config/index.js';
import { DEFAULT_STORE_DIR } from '../control/store/store-spec.js';

export const DEFAULT_CONTROL_URL = 'https://127.0.0.1:7070';

/**
 * Where `inmesh token` and `inmesh apply` find the daemon: `control.url` of ./mesh.yaml when
 * it names one, else the daemon's default address; the admin token and CA bundle the daemon
 * writes into its default store directory.
 */
export function controlClientDefaults(cwdMeshYaml = 'mesh.yaml'): { url: string; adminTokenFile: string; caFile: string } {
  let url = DEFAULT_CONTROL_URL;
  if (existsSync(cwdMeshYaml)) {
    try {
      url = loadMeshConfigFile(cwdMeshYaml).config.control?.url ?? url;
    } catch {
      // a mesh.yaml that does not load is `inmesh check`'s business
    }
  }
  return { url, adminTokenFile: `${DEFAULT_STORE_DIR}/admin.token`, caFile: `${DEFAULT_STORE_DIR}/ca.pem` };
}
