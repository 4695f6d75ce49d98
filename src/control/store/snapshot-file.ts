import { open, rename, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { MeshError } from '../../index.js';
import type { StoreState } from './memory-store.js';

export const SNAPSHOT_FORMAT = 'inmesh-control-store';
export const SNAPSHOT_FORMAT_VERSION = 1;

type Json = Record<string, unknown>;

function corrupted(file: string, reason: string, cause?: unknown): MeshError {
  return new MeshError(
    'MESH_ERR_CONFIG_INVALID',
    `the control store file ${file} is corrupted (${reason}); it was left as it is: restore it from a backup, or move it away to start with an empty store`,
    cause === undefined ? {} : { cause },
  );
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStringRecord = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** Reads a snapshot; undefined when there is none. Anything unreadable or malformed is refused naming the file. */
export function readSnapshot(file: string): StoreState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MeshError('MESH_ERR_CONFIG_INVALID', `cannot read the control store file ${file}: ${(e as Error).message}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw corrupted(file, `not JSON: ${(e as Error).message}`, e);
  }
  return checkSnapshot(file, raw);
}

function checkSnapshot(file: string, raw: unknown): StoreState {
  if (!isObject(raw) || raw.format !== SNAPSHOT_FORMAT) throw corrupted(file, `it is not an ${SNAPSHOT_FORMAT} snapshot`);
  if (raw.formatVersion !== SNAPSHOT_FORMAT_VERSION) throw corrupted(file, `format version ${JSON.stringify(raw.formatVersion)} is not ${SNAPSHOT_FORMAT_VERSION}`);
  const { config, instances, versions, secrets, tokens } = raw;
  if (config !== null && (!isObject(config) || !isCount(config.version) || typeof config.yaml !== 'string' || !isCount(config.appliedAt))) {
    throw corrupted(file, 'config must be null or { version, yaml, appliedAt }');
  }
  if (!Array.isArray(instances)) throw corrupted(file, 'instances must be a list');
  instances.forEach((i: unknown, n) => {
    const ok =
      isObject(i) &&
      typeof i.service === 'string' &&
      typeof i.address === 'string' &&
      isStringRecord(i.labels) &&
      typeof i.meshed === 'boolean' &&
      Array.isArray(i.protocols) &&
      i.protocols.every((p) => typeof p === 'string') &&
      isCount(i.registeredAt) &&
      isCount(i.leaseMs) &&
      (i.leaseMs as number) > 0;
    if (!ok) throw corrupted(file, `instances[${n}] is not a registered instance`);
  });
  if (!isObject(versions) || !Object.values(versions).every(isCount)) throw corrupted(file, 'versions must map services to counts');
  if (!isObject(tokens) || !Object.values(tokens).every(isCount)) throw corrupted(file, 'tokens must map token ids to expiry times');
  const secretKeys = ['trustDomain', 'caCertificatePem', 'caKeyPem', 'tokenKeyPem', 'adminTokenSha256'] as const;
  if (secrets !== null && (!isObject(secrets) || !secretKeys.every((k) => typeof secrets[k] === 'string'))) {
    throw corrupted(file, `secrets must be null or hold ${secretKeys.join(', ')}`);
  }
  return {
    config: config === null ? undefined : (config as unknown as StoreState['config']),
    instances: instances as unknown as StoreState['instances'],
    versions: versions as Record<string, number>,
    secrets: secrets === null ? undefined : (secrets as unknown as StoreState['secrets']),
    tokens: tokens as Record<string, number>,
  };
}

/** The snapshot's text: a format tag so a wrong file is told apart from a damaged one. */
export function snapshotText(s: StoreState): string {
  return `${JSON.stringify({ format: SNAPSHOT_FORMAT, formatVersion: SNAPSHOT_FORMAT_VERSION, config: s.config ?? null, instances: s.instances, versions: s.versions, secrets: s.secrets ?? null, tokens: s.tokens })}\n`;
}

/**
 * Replaces `file` with `text` atomically: a temporary file (0600) in the same directory,
 * flushed to disk, then renamed over it, so a crash leaves the old snapshot or the new one.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
