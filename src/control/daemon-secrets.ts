import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshError } from '../index.js';
import { CertificateAuthority } from '../experimental.js';
import { sha256Hex } from './identity/admin-token.js';
import { makeSecrets } from './identity/control-secrets.js';
import type { ControlSecrets, ControlStore } from './store/control-store.js';
import { writeFileAtomically } from './store/snapshot-file.js';
import type { StoreSpec } from './store/store-spec.js';

export interface DaemonSecrets {
  readonly secrets: ControlSecrets;
  readonly ca: CertificateAuthority;
  /** The admin token in clear when this start generated it. */
  readonly generatedAdminToken: string | undefined;
}

function refuse(message: string, cause?: unknown): MeshError {
  return new MeshError('MESH_ERR_CONFIG_INVALID', message, cause === undefined ? {} : { cause });
}

/** The operator's admin token from `--admin-token-file`: one word of at least 16 characters. */
export function readAdminTokenFile(file: string): string {
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw refuse(`cannot read the admin token file ${file}: ${(e as Error).message}`, e);
  }
  if (token.length < 16 || /\s/.test(token)) throw refuse(`the admin token in ${file} must be one word of at least 16 characters`);
  return token;
}

/**
 * The store's secrets, made on first start (CA, token key, admin token), checked against this
 * start's trust domain and admin token. A file store also gets `admin.token` (0600, when one
 * was generated) and `ca.pem` beside its snapshot, for `inmesh token` and `inmesh apply`.
 */
export async function loadDaemonSecrets(
  store: ControlStore,
  spec: StoreSpec,
  trustDomain: string,
  given: { readonly token: string; readonly file: string } | undefined,
  announce: (line: string) => void,
): Promise<DaemonSecrets> {
  let generatedAdminToken: string | undefined;
  const secrets = await store.secrets(() => {
    const made = makeSecrets(trustDomain, given?.token);
    generatedAdminToken = made.adminToken;
    return made.secrets;
  });
  if (secrets.trustDomain !== trustDomain) {
    throw refuse(`the config has trustDomain ${trustDomain}, but the control store's CA is for ${secrets.trustDomain}: keep the trust domain, or start with another store`);
  }
  if (given !== undefined && sha256Hex(given.token) !== secrets.adminTokenSha256) {
    throw refuse(`the admin token in ${given.file} is not the one this control store was made with`);
  }
  const ca = CertificateAuthority.fromPem({ trustDomain, certificatePem: secrets.caCertificatePem, privateKey: secrets.caKeyPem });
  const tokenFile = spec.kind === 'file' ? join(spec.dir, 'admin.token') : undefined;
  if (spec.kind === 'file') {
    if (generatedAdminToken !== undefined) await writeFileAtomically(tokenFile!, `${generatedAdminToken}\n`);
    writeFileSync(join(spec.dir, 'ca.pem'), ca.bundlePem, { mode: 0o644 });
  }
  if (generatedAdminToken !== undefined) announce(`inmesh control: the admin token (shown once${tokenFile ? `, also in ${tokenFile}` : ''}): ${generatedAdminToken}`);
  return { secrets, ca, generatedAdminToken };
}
