import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MeshError, type Logger } from '../core/index.js';
import type { Credentials, WorkloadIdentity } from './workload-identity.js';

export interface CredentialFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** Settles a burst of writes (cert-manager and SPIRE's helper write several files, or swap a symlink) into one reload. */
const SETTLE_MS = 200;
/** Filesystems without change events (some network and overlay mounts) are read again this often. */
const POLL_MS = 30_000;

async function readNamed(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new MeshError('MESH_ERR_IDENTITY', `identity.${what}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The key file must not be readable by every user of the machine. (In Kubernetes, mount the
 * secret with `defaultMode: 0400`; cert-manager's csi-driver and SPIRE's helper write 0600.)
 */
async function checkKeyMode(file: string): Promise<void> {
  const mode = (await stat(file)).mode & 0o777;
  if (mode & 0o007) {
    throw new MeshError(
      'MESH_ERR_IDENTITY',
      `identity.keyFile: ${file} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${file}`,
    );
  }
}

/** Reads the three files of `identity.mode: files`; every error names the file. */
export async function readCredentialFiles(f: CredentialFiles): Promise<Credentials> {
  await checkKeyMode(f.keyFile).catch((err: unknown) => {
    if (err instanceof MeshError) throw err;
    throw new MeshError('MESH_ERR_IDENTITY', `identity.keyFile: cannot read ${f.keyFile}: ${(err as Error).message}`, { cause: err });
  });
  const [certPem, keyPem, bundlePem] = await Promise.all([readNamed(f.certFile, 'certFile'), readNamed(f.keyFile, 'keyFile'), readNamed(f.caFile, 'caFile')]);
  return { certPem, keyPem, bundlePem };
}

/**
 * Reloads the files into `identity` when they change. New credentials that do not check out (a
 * half-written pair, a key for another certificate) are logged and the last good ones stay.
 */
export function watchCredentialFiles(identity: WorkloadIdentity, f: CredentialFiles, log: Logger): () => void {
  let settle: NodeJS.Timeout | undefined;
  let last = '';
  let closed = false;
  const reload = async () => {
    try {
      const creds = await readCredentialFiles(f);
      const seen = creds.certPem + creds.keyPem + creds.bundlePem;
      if (closed || seen === last) return;
      identity.update(creds);
      last = seen;
      log.info('identity reloaded from files', { spiffeId: identity.spiffeId, notAfter: new Date(identity.notAfter).toISOString() });
    } catch (err) {
      log.error('identity files refused: the last good credentials stay in force', { error: (err as Error).message });
    }
  };
  const current = identity.credentials;
  last = current.certPem + current.keyPem + current.bundlePem;
  const schedule = () => {
    if (settle) clearTimeout(settle);
    settle = setTimeout(() => void reload(), SETTLE_MS).unref();
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([f.certFile, f.keyFile, f.caFile].map((p) => dirname(p)))) {
    try {
      const w = watch(dir, { persistent: false }, schedule);
      w.on('error', () => undefined);
      watchers.push(w);
    } catch (err) {
      log.warn('cannot watch an identity directory: it is read again every 30 s', { dir, error: (err as Error).message });
    }
  }
  const poll = setInterval(() => void reload(), POLL_MS).unref();
  return () => {
    closed = true;
    if (settle) clearTimeout(settle);
    clearInterval(poll);
    for (const w of watchers) w.close();
  };
}
