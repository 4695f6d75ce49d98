import type { Logger } from '../core/index.js';
import type { MeshConfig } from '../config/types.js';
import { readCredentialFiles, watchCredentialFiles } from './credential-files.js';
import { WorkloadIdentity } from './workload-identity.js';

/** A workload's identity while it runs: the credentials in force, and what keeps them fresh. */
export interface IdentityHandle {
  readonly identity: WorkloadIdentity;
  /** Stops watching or renewing. */
  close(): void;
}

export interface StartIdentityOptions {
  readonly service: string;
  readonly log: Logger;
}

/**
 * The identity `identity.mode` asks for: certificate files (watched), or none. Undefined means
 * plaintext for the whole workload.
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
    default:
      return undefined;
  }
}
