import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMeshError, MeshError } from '../core/index.js';
import { CertificateAuthority } from './certificate-authority.js';
import { parseTrustDomain } from './spiffe-id.js';

const DAY = 86_400_000;

/** The dev CA lives long, so a laptop's mesh keeps working for a year without a thought. */
export const DEV_CA_TTL_MS = 365 * DAY;
/** Leaves of the dev CA are short, as in production: a leaked leaf is worth little for long. */
export const DEV_LEAF_TTL_MS = 3_600_000;

export interface DevCaOptions {
  /** Wall-clock time; default now. */
  readonly now?: Date;
  readonly ttl?: number;
  /** How long to wait for another process that is creating the CA right now; default 5 s. */
  readonly waitMs?: number;
}

function identityError(message: string, cause?: unknown): MeshError {
  return new MeshError('MESH_ERR_IDENTITY', message, cause === undefined ? {} : { cause });
}

const isCode = (e: unknown, code: string) => (e as NodeJS.ErrnoException)?.code === code;

/** The CA in `dir`, or undefined when there is no ca.crt yet; a clear error for anything unusable. */
async function load(dir: string, trustDomain: string, now: Date): Promise<CertificateAuthority | undefined> {
  const crtPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  let crtPem: string;
  try {
    crtPem = await readFile(crtPath, 'utf8');
  } catch (e) {
    if (isCode(e, 'ENOENT')) return undefined;
    throw identityError(`cannot read ${crtPath}: ${(e as Error).message}`, e);
  }
  let mode: number;
  try {
    mode = (await stat(keyPath)).mode;
  } catch (e) {
    if (isCode(e, 'ENOENT')) throw identityError(`${crtPath} exists but ${keyPath} is missing; remove ${crtPath} to make a new dev CA`);
    throw identityError(`cannot read ${keyPath}: ${(e as Error).message}`, e);
  }
  if (process.platform !== 'win32' && mode & 0o077) {
    const octal = `0${(mode & 0o777).toString(8)}`;
    throw identityError(`${keyPath} has mode ${octal}, readable by group or others; a CA key must be readable by its owner only. Fix it with: chmod 600 ${keyPath}`);
  }
  const keyPem = await readFile(keyPath, 'utf8');
  try {
    new X509Certificate(crtPem);
  } catch (e) {
    throw identityError(`${crtPath} is not a readable PEM certificate (${(e as Error).message}); remove ${crtPath} and ${keyPath} to make a new dev CA`, e);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw identityError(`${keyPath} is not a readable PEM private key (${(e as Error).message}); remove ${crtPath} and ${keyPath} to make a new dev CA`, e);
  }
  let ca: CertificateAuthority;
  try {
    ca = CertificateAuthority.fromPem({ trustDomain, certificatePem: crtPem, privateKey: key });
  } catch (e) {
    if (!isMeshError(e)) throw e;
    throw identityError(`${crtPath}: ${e.message}; use another directory for trust domain ${trustDomain}, or remove ${crtPath} and ${keyPath} to make a new dev CA`, e);
  }
  if (ca.notAfter.getTime() <= now.getTime()) {
    throw identityError(`${crtPath} expired at ${ca.notAfter.toISOString()}; remove ${crtPath} and ${keyPath} to make a new dev CA`);
  }
  return ca;
}

/** Writes a new file and flushes it to disk, so a crash cannot publish an empty key. */
async function writeNewFile(path: string, text: string, mode: number): Promise<void> {
  const file = await open(path, 'wx', mode);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Writes a new CA beside the final names and publishes it: link() of the key is the one step
 * that can succeed for only one process, and the certificate follows by rename(). A reader
 * that finds ca.crt therefore always finds its key. Returns undefined when another process won.
 */
async function publish(dir: string, trustDomain: string, o: DevCaOptions): Promise<CertificateAuthority | undefined> {
  const ca = CertificateAuthority.create({ trustDomain, ttl: o.ttl ?? DEV_CA_TTL_MS, now: o.now });
  const suffix = `${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const tmpKey = join(dir, `.ca.key.${suffix}`);
  const tmpCrt = join(dir, `.ca.crt.${suffix}`);
  await writeNewFile(tmpKey, ca.exportPrivateKeyPem(), 0o600);
  await writeNewFile(tmpCrt, ca.certificatePem, 0o644);
  try {
    await link(tmpKey, join(dir, 'ca.key'));
  } catch (e) {
    await Promise.all([unlink(tmpKey), unlink(tmpCrt)]);
    if (isCode(e, 'EEXIST')) return undefined;
    throw identityError(`cannot write ${join(dir, 'ca.key')}: ${(e as Error).message}`, e);
  }
  await rename(tmpCrt, join(dir, 'ca.crt'));
  await unlink(tmpKey);
  return ca;
}

/**
 * The dev mode's local CA in `dir` (e.g. `.inmesh/`): created on first use (dir 0700,
 * `ca.key` 0600, `ca.crt`), loaded afterwards. Safe when several processes start at once:
 * exactly one creates the CA and all of them load that one. Refuses a key readable by group
 * or others, a CA of another trust domain, and unreadable files, naming the file and the fix.
 *
 * @example
 * const ca = await loadOrCreateDevCa('.inmesh', 'shop.local');
 * const cert = ca.issue({ publicKey, spiffeId: 'spiffe://shop.local/svc/orders', ttl: DEV_LEAF_TTL_MS });
 */
export async function loadOrCreateDevCa(dir: string, trustDomain: string, o: DevCaOptions = {}): Promise<CertificateAuthority> {
  parseTrustDomain(trustDomain);
  const now = o.now ?? new Date();
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw identityError(`cannot create the dev CA directory ${dir}: ${(e as Error).message}`, e);
  }
  const waitMs = o.waitMs ?? 5000;
  const giveUpAt = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    const loaded = await load(dir, trustDomain, now);
    if (loaded) return loaded;
    if (attempt === 0) {
      const created = await publish(dir, trustDomain, { ...o, now });
      if (created) return created;
    }
    // Another process holds ca.key and is about to rename its ca.crt into place.
    if (Date.now() >= giveUpAt) {
      throw identityError(`${join(dir, 'ca.key')} exists but ${join(dir, 'ca.crt')} did not appear within ${waitMs} ms (a process stopped while creating the CA?); remove ${join(dir, 'ca.key')} to make a new dev CA`);
    }
    await sleep(10);
  }
}
