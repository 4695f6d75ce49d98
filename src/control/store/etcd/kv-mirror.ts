import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { Logger } from '../../../experimental.js';
import { withinDeadline } from './etcd-client.js';

export interface MirrorEntry {
  readonly value: Buffer;
  readonly modRevision: number;
  /** The lease id the key is attached to ('0' for none). */
  readonly lease: string;
}

/** What one watch response (or a full re-read) changed: every key, with its new entry or undefined when deleted. */
export interface MirrorBatch {
  /** The highest revision among the changes (a full re-read: the revision it was read at). */
  readonly revision: number;
  readonly changed: ReadonlyMap<string, MirrorEntry | undefined>;
  /** True for a full re-read of the prefix, after open, a lost watch or a reconnection. */
  readonly full: boolean;
}

const RESYNC_FIRST_DELAY_MS = 100;
const RESYNC_MAX_DELAY_MS = 2_000;
const CANCEL_WITHIN_MS = 500;

/**
 * Every key under a prefix, in memory, kept current by one etcd watch. The watch starts from
 * the revision after a range read, so nothing falls between them. When the watch is lost (etcd
 * away, a reconnection, a compaction past our revision) the mirror does not trust what etcd3
 * replays: it drops that watcher, reads the whole range again, reports the difference, and
 * watches anew from there, retrying until etcd answers. Reads meanwhile answer from what it has.
 */
export class KvMirror {
  readonly #client: Etcd3;
  readonly #start: Buffer;
  readonly #end: Buffer;
  readonly #endpoints: readonly string[];
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #onBatch: (batch: MirrorBatch) => void;
  #entries = new Map<string, MirrorEntry>();
  #revision = 0;
  /** Bumped whenever a watcher is dropped, so that late events of an old one are ignored. */
  #generation = 0;
  #watcher: Watcher | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  #resyncDelay = RESYNC_FIRST_DELAY_MS;
  #closed = false;
  #waiters: { revision: number; resolve: (reached: boolean) => void }[] = [];

  /** Mirrors the keys from `start` (inclusive) to `end` (exclusive). */
  constructor(o: { client: Etcd3; start: string; end: string; endpoints: readonly string[]; timeoutMs: number; log: Logger; onBatch: (batch: MirrorBatch) => void }) {
    this.#client = o.client;
    this.#start = Buffer.from(o.start);
    this.#end = Buffer.from(o.end);
    this.#endpoints = o.endpoints;
    this.#timeoutMs = o.timeoutMs;
    this.#log = o.log;
    this.#onBatch = o.onBatch;
  }

  /** The revision the mirror reflects. */
  get revision(): number {
    return this.#revision;
  }

  get(key: string): MirrorEntry | undefined {
    return this.#entries.get(key);
  }

  /** The first read; rejects when etcd does not answer, so that `open()` fails clearly. */
  async load(): Promise<void> {
    await this.#readAndWatch();
  }

  /** Resolves true once the mirror reflects `revision`, false when `ms` pass first. */
  waitFor(revision: number, ms: number): Promise<boolean> {
    if (this.#revision >= revision || this.#closed) return Promise.resolve(this.#revision >= revision);
    return new Promise((resolve) => {
      const waiter = { revision, resolve: (reached: boolean) => { clearTimeout(timer); resolve(reached); } };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      }, ms);
      timer.unref();
      this.#waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#resyncTimer);
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters = [];
    await this.#dropWatcher();
  }

  async #readAndWatch(): Promise<void> {
    const range = await withinDeadline('range read', this.#endpoints, this.#timeoutMs, () =>
      this.#client.kv.range({ key: this.#start, range_end: this.#end }),
    );
    if (this.#closed) return;
    const revision = Number(range.header.revision);
    this.#replace(range.kvs, revision);
    this.#watchFrom(revision + 1);
    this.#resyncDelay = RESYNC_FIRST_DELAY_MS;
  }

  #replace(kvs: readonly IKeyValue[], revision: number): void {
    const next = new Map<string, MirrorEntry>();
    for (const kv of kvs) next.set(kv.key.toString(), entryOf(kv));
    const changed = new Map<string, MirrorEntry | undefined>();
    for (const key of this.#entries.keys()) if (!next.has(key)) changed.set(key, undefined);
    for (const [key, e] of next) if (this.#entries.get(key)?.modRevision !== e.modRevision) changed.set(key, e);
    this.#entries = next;
    this.#advance(revision, changed, true);
  }

  #watchFrom(startRevision: number): void {
    const generation = ++this.#generation;
    const watcher = this.#client.watch().inRange({ start: this.#start, end: this.#end }).startRevision(String(startRevision)).watcher();
    this.#watcher = watcher;
    watcher.on('data', (res: IWatchResponse) => {
      if (generation === this.#generation) this.#apply(res);
    });
    watcher.on('disconnected', (err: Error) => this.#lost(generation, err));
    watcher.on('error', (err: Error) => this.#lost(generation, err));
  }

  #apply(res: IWatchResponse): void {
    const changed = new Map<string, MirrorEntry | undefined>();
    let revision = 0;
    for (const ev of res.events) {
      const key = ev.kv.key.toString();
      const modRevision = Number(ev.kv.mod_revision);
      revision = Math.max(revision, modRevision);
      if (ev.type === 'Delete') {
        this.#entries.delete(key);
        changed.set(key, undefined);
      } else {
        const e = entryOf(ev.kv);
        this.#entries.set(key, e);
        changed.set(key, e);
      }
    }
    // A progress notification carries no events but tells how far the watch has seen.
    this.#advance(Math.max(revision, Number(res.header.revision)), changed, false, revision);
  }

  #advance(revision: number, changed: ReadonlyMap<string, MirrorEntry | undefined>, full: boolean, batchRevision = revision): void {
    this.#revision = Math.max(this.#revision, revision);
    if (changed.size > 0 || full) {
      try {
        this.#onBatch({ revision: batchRevision, changed, full });
      } catch (err) {
        this.#log.error('etcd store: applying a change failed', { err: (err as Error).message });
      }
    }
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => w.revision <= this.#revision);
    this.#waiters = this.#waiters.filter((w) => w.revision > this.#revision);
    for (const w of ready) w.resolve(true);
  }

  #lost(generation: number, err: Error): void {
    if (generation !== this.#generation || this.#closed) return;
    this.#log.warn('etcd store: the etcd watch was lost; reading the store again', { endpoints: this.#endpoints, err: err?.message });
    void this.#dropWatcher();
    this.#scheduleResync();
  }

  #scheduleResync(): void {
    if (this.#closed || this.#resyncTimer) return;
    this.#resyncTimer = setTimeout(() => {
      this.#resyncTimer = undefined;
      this.#readAndWatch().catch((err: unknown) => {
        this.#log.debug('etcd store: etcd still away', { err: (err as Error).message });
        this.#resyncDelay = Math.min(this.#resyncDelay * 2, RESYNC_MAX_DELAY_MS);
        this.#scheduleResync();
      });
    }, this.#resyncDelay);
    this.#resyncTimer.unref();
  }

  async #dropWatcher(): Promise<void> {
    this.#generation++;
    const w = this.#watcher;
    this.#watcher = undefined;
    if (!w) return;
    await Promise.race([w.cancel().catch(() => undefined), new Promise((r) => setTimeout(r, CANCEL_WITHIN_MS).unref())]);
  }
}

function entryOf(kv: IKeyValue): MirrorEntry {
  return { value: kv.value, modRevision: Number(kv.mod_revision), lease: kv.lease };
}
