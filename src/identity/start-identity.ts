import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MeshError, type Clock, type Logger, type Random } from '../core/index.js';
import type { MeshConfig } from '../config/types.js';
import type { ControlCache } from '../config/control-cache.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { requestControlCredentials } from './control-identity.js';
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
  /** identity mode control: where the last certificate is kept, so a restart while the daemon is away still has one. */
  readonly controlCache?: ControlCache;
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
 * a certificate from the control daemon for a CSR, renewed likewise; certificate files, watched;
 * or none (undefined: plaintext for the whole workload).
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
    case 'control': {
      const spiffeId = serviceSpiffeId(config.trustDomain, o.service).toString();
      const caFile = config.control!.caFile ?? id.caFile;
      const exchange = {
        url: config.control!.url,
        service: o.service,
        spiffeId,
        ttl: id.certTtl,
        token: id.token,
        bootstrapBundle: caFile === undefined ? undefined : await readFile(caFile, 'utf8').catch((err: unknown) => {
          throw new MeshError('MESH_ERR_IDENTITY', `control.caFile: cannot read ${caFile}: ${(err as Error).message}`, { cause: err });
        }),
        timeoutMs: CONTROL_EXCHANGE_TIMEOUT_MS,
      };
      const keep = (creds: Credentials): Credentials => {
        o.controlCache?.write(CREDENTIALS_ENTRY, creds);
        return creds;
      };
      const cached = cachedCredentials(config.trustDomain, o);
      const identity = cached ?? new WorkloadIdentity(config.trustDomain, o.service, keep(await firstControlCredentials(exchange, o.log)));
      const stop = keepRenewed({
        identity,
        renew: async () => keep(await requestControlCredentials(exchange, identity.credentials)),
        clock: o.clock,
        random: o.random,
        log: o.log,
        ...(cached && { firstRenewalInMs: 0 }),
        ...(o.onRenewal && { onResult: o.onRenewal }),
      });
      return { identity, close: stop };
    }
  }
}

/** The cache entry of identity mode control's credentials (the key is in it: the file is 0600). */
const CREDENTIALS_ENTRY = 'identity';
/** A cached certificate with less left than this is not worth starting with. */
const CACHED_MIN_LIFE_MS = 30_000;

/**
 * A cached certificate that is still valid and still this workload's, put in force at once (a
 * restart does not wait for the daemon); renewal then replaces it as soon as the daemon answers.
 */
function cachedCredentials(trustDomain: string, o: StartIdentityOptions): WorkloadIdentity | undefined {
  const creds = o.controlCache?.read(CREDENTIALS_ENTRY, isCredentials);
  if (!creds) return undefined;
  try {
    const identity = new WorkloadIdentity(trustDomain, o.service, creds);
    if (identity.notAfter - Date.now() < CACHED_MIN_LIFE_MS) {
      o.log.info('control identity: the cached certificate has expired; asking the daemon for one', { notAfter: new Date(identity.notAfter).toISOString() });
      return undefined;
    }
    o.log.info('control identity: starting with the cached certificate; it is renewed when the daemon answers', { spiffeId: identity.spiffeId, notAfter: new Date(identity.notAfter).toISOString() });
    return identity;
  } catch (err) {
    o.log.warn('control cache: the cached certificate cannot be used; ignoring it', { error: (err as Error).message });
    return undefined;
  }
}

function isCredentials(v: unknown): v is Credentials {
  const c = v as Partial<Credentials> | null;
  return c !== null && typeof c === 'object' && typeof c.certPem === 'string' && typeof c.keyPem === 'string' && typeof c.bundlePem === 'string';
}

/** One exchange with the control daemon, at most. */
const CONTROL_EXCHANGE_TIMEOUT_MS = 5000;
/** How long a starting workload waits for the daemon before it gives up (a restarting daemon is back in seconds). */
const CONTROL_STARTUP_WAIT_MS = 15_000;

/**
 * The first certificate, retried for a while with doubling pauses: a workload and its daemon often
 * start together. A refusal (bad token, wrong identity) is final at once: waiting will not change it.
 */
async function firstControlCredentials(o: Parameters<typeof requestControlCredentials>[0], log: Logger): Promise<Credentials> {
  const giveUpAt = Date.now() + CONTROL_STARTUP_WAIT_MS;
  for (let pause = 250; ; pause = Math.min(pause * 2, 4000)) {
    try {
      return await requestControlCredentials(o);
    } catch (err) {
      const unreachable = /cannot reach/.test((err as Error).message);
      if (!unreachable || Date.now() + pause > giveUpAt) throw err;
      log.warn('waiting for the control daemon to issue this workload a certificate', { url: o.url, error: (err as Error).message, retryInMs: pause });
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}
