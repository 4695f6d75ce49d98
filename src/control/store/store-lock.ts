import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { MeshError } from '../../index.js';

/** True when a process with this id runs (and may be signalled by us, or exists but is not ours). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One daemon per store directory: two writing the same snapshot would each overwrite the
 * other's changes. The lock file holds the owner's pid; one left by a process that is gone is
 * taken over. Several daemons share state through etcd, not through one directory.
 */
export class StoreLock {
  readonly file: string;
  #held = false;

  constructor(file: string) {
    this.file = file;
  }

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        this.#held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new MeshError('MESH_ERR_CONFIG_INVALID', `cannot create the store lock ${this.file}: ${(e as Error).message}`, { cause: e });
      }
      const owner = Number.parseInt(readFileSync(this.file, 'utf8'), 10);
      if (Number.isSafeInteger(owner) && owner > 0 && running(owner)) {
        throw new MeshError('MESH_ERR_CONFIG_INVALID', `another control daemon (pid ${owner}) uses this store (${this.file}); stop it, or give this one another --store`);
      }
      unlinkSync(this.file);
    }
    throw new MeshError('MESH_ERR_CONFIG_INVALID', `cannot take the store lock ${this.file}: another daemon is starting on it`);
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      unlinkSync(this.file);
    } catch {
      // already gone: nothing to release
    }
  }
}
