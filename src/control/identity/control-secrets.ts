import { generateKeyPairSync } from 'node:crypto';
import { CertificateAuthority } from '../../experimental.js';
import type { ControlSecrets } from '../store/control-store.js';
import { generateAdminToken, sha256Hex } from './admin-token.js';

/** The root lives ten years: it is the trust every workload carries, replaced by a rotation, not by expiry. */
export const CA_TTL_MS = 10 * 365 * 86_400_000;

export interface MadeSecrets {
  readonly secrets: ControlSecrets;
  /** The admin token in clear when it was generated here (shown once), undefined when the operator gave one. */
  readonly adminToken: string | undefined;
}

/**
 * What a store keeps when it has no secrets yet: a new CA for the trust domain, an ES256 key
 * for join tokens, and the hash of the admin token (the operator's, or a new one).
 */
export function makeSecrets(trustDomain: string, givenAdminToken: string | undefined): MadeSecrets {
  const ca = CertificateAuthority.create({ trustDomain, ttl: CA_TTL_MS });
  const tokenKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const adminToken = givenAdminToken ?? generateAdminToken();
  return {
    secrets: { trustDomain, caCertificatePem: ca.certificatePem, caKeyPem: ca.exportPrivateKeyPem(), tokenKeyPem: tokenKey, adminTokenSha256: sha256Hex(adminToken) },
    adminToken: givenAdminToken === undefined ? adminToken : undefined,
  };
}
