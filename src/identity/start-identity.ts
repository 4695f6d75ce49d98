import { resolve } from 'node:path';
import type { Clock, Logger, Random } from '../core/index.js';
import type { MeshConfig } from '../config/types.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { readCredentialFiles, watchCredentialFiles } from './credential-files.js';
import { loadOrCreateDevCa } from './dev-ca-store.js';
import { keepRenewed } from './renewal.js';
import { serviceSpiffeId } from './spiffe-id.js';
import { WorkloadIdentity, type Credentials } from './workload-identity.js';
import { generateKeyPair } from './x509/keys.js';

/** A workload's identity while it runs: the credentials in force, and what keeps them fresh. */
export interface IdentityHandle {
  readonly identity: WorkloadIdentity;
  /** Stops watching or renewing. */
  close(): void;
}

export interface StartIdentityOptions {
  readonly service: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random: Random;
  /** Each renewal's outcome, for `inmesh_cert_rotations_total`. */
  readonly onRenewal?: (result: 'renewed' | 'failed') => void;
}

/**
 * A dev-CA leaf also names loopback, so that curl and other clients outside the mesh can verify a
 * local server by address (the SPIFFE spec allows DNS and IP SANs beside the URI).
 */
const LOOPBACK = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] };

/** A new key pair and a leaf for it; the private key never leaves this process. */
export function issueWorkloadCredentials(ca: CertificateAuthority, spiffeId: string, ttl: number): Credentials {
  const { publicKey, privateKey } = generateKeyPair();
  const certPem = ca.issue({ publicKey, spiffeId, ttl, ...LOOPBACK });
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, bundlePem: ca.bundlePem };
}

/**
 * The identity `identity.mode` asks for: a leaf of the local dev CA, renewed at half its life;
 * certificate files, watched; or none (undefined: plaintext for the whole workload).
 */
export async function startIdentity(config: MeshConfig, o: StartIdentityOptions): Promise<IdentityHandle | undefined> {
  const id = config.identity;
  switch (id.mode) {
    case 'none':
      return undefined;
    case 'files': {
      const identity = new WorkloadIdentity(config.trustDomain, o.service, await readCredentialFiles(id));
      const stop = watchCredentialFiles(identity, id, o.log);
      return { identity, close: stop };
    }
    case 'dev': {
      const ca = await loadOrCreateDevCa(resolve(id.dir), config.trustDomain);
      const spiffeId = serviceSpiffeId(config.trustDomain, o.service).toString();
      const identity = new WorkloadIdentity(config.trustDomain, o.service, issueWorkloadCredentials(ca, spiffeId, id.certTtl));
      const stop = keepRenewed({
        identity,
        renew: async () => issueWorkloadCredentials(ca, spiffeId, id.certTtl),
        clock: o.clock,
        random: o.random,
        log: o.log,
        ...(o.onRenewal && { onResult: o.onRenewal }),
      });
      return { identity, close: stop };
    }
    case 'control':
      return undefined;
  }
}
