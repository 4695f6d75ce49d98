import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MeshError } from '../../index.js';
import type { ControlSecrets } from './control-store.js';
import { MemoryStore, type MemoryStoreOptions, type StoreState } from './memory-store.js';
import { SecretBox } from './secret-box.js';
import { readSnapshot, snapshotText, writeFileAtomically } from './snapshot-file.js';
import { StoreLock } from './store-lock.js';

export const SNAPSHOT_FILE = 'state.json';

export interface FileStoreOptions extends MemoryStoreOptions {
  readonly dir: string;
  /** Seals the CA key and the token key in the snapshot. */
  readonly box?: SecretBox;
}

/** The secrets with their keys as the snapshot keeps them: sealed when there is a box. */
function sealSecrets(s: ControlSecrets, box: SecretBox | undefined): ControlSecrets {
  if (!box) return s;
  return { ...s, caKeyPem: box.seal('caKey', s.caKeyPem), tokenKeyPem: box.seal('tokenKey', s.tokenKeyPem) };
}

function openSecrets(s: ControlSecrets, box: SecretBox | undefined, file: string): ControlSecrets {
  if (box) return { ...s, caKeyPem: box.open('caKey', s.caKeyPem), tokenKeyPem: box.open('tokenKey', s.tokenKeyPem) };
  if (SecretBox.isSealed(s.caKeyPem) || SecretBox.isSealed(s.tokenKeyPem)) {
    throw new MeshError('MESH_ERR_CONFIG_INVALID', `the keys in ${file} are sealed: start with the store key that sealed them (--store-key-file or INMESH_CONTROL_STORE_KEY_FILE)`);
  }
  return s;
}

/**
 * The memory store plus a snapshot file, `DIR/state.json` (0600, in a 0700 directory), written
 * atomically after every change, so a restart keeps config, registry (leases start afresh),
 * secrets and consumed tokens. Writes coalesce: changes that come while a snapshot is being
 * written are saved together by the next one, and each write resolves once a snapshot holding
 * it is on disk.
 */
export class FileStore extends MemoryStore {
  override readonly kind = 'file' as const;
  readonly file: string;
  readonly #dir: string;
  readonly #box: SecretBox | undefined;
  readonly #lock: StoreLock;
  #sealed: { readonly plain: ControlSecrets; readonly sealed: ControlSecrets } | undefined;
  #writing: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #opened = false;

  constructor(o: FileStoreOptions) {
    super(o);
    this.#dir = o.dir;
    this.#box = o.box;
    this.file = join(o.dir, SNAPSHOT_FILE);
    this.#lock = new StoreLock(join(o.dir, 'daemon.lock'));
  }

  override async open(): Promise<void> {
    try {
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new MeshError('MESH_ERR_CONFIG_INVALID', `cannot create the control store directory ${this.#dir}: ${(e as Error).message}`, { cause: e });
    }
    this.#lock.acquire();
    try {
      const state = readSnapshot(this.file);
      if (state) {
        const secrets = state.secrets && openSecrets(state.secrets, this.#box, this.file);
        if (state.secrets && secrets) this.#sealed = { plain: secrets, sealed: state.secrets };
        this.restore({ ...state, secrets });
      }
    } catch (e) {
      this.#lock.release();
      throw e;
    }
    this.#opened = true;
  }

  protected override durable(): Promise<void> {
    if (!this.#opened) return Promise.resolve();
    // One snapshot is written at a time; the next one, shared by every change made meanwhile, waits for it.
    this.#next ??= (this.#writing ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        this.#writing = this.#write();
        return this.#writing;
      });
    return this.#next;
  }

  async #write(): Promise<void> {
    const state = this.state();
    await writeFileAtomically(this.file, snapshotText({ ...state, secrets: state.secrets && this.#sealedSecrets(state.secrets) }));
  }

  /** Sealing draws a fresh IV; the sealed text is made once per secret so snapshots do not churn. */
  #sealedSecrets(plain: ControlSecrets): ControlSecrets {
    if (this.#sealed?.plain.caKeyPem !== plain.caKeyPem || this.#sealed.plain.tokenKeyPem !== plain.tokenKeyPem) this.#sealed = { plain, sealed: sealSecrets(plain, this.#box) };
    return this.#sealed.sealed;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#next?.catch(() => undefined);
    await this.#writing?.catch(() => undefined);
    this.#lock.release();
  }
}

export type { StoreState };
