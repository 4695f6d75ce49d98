import type { Clock, TimerHandle } from '../core/index.js';

/** A scheduled entry; pass it to `cancel`. */
export interface WheelHandle {
  /** The absolute Clock time it was scheduled for. */
  readonly at: number;
  /** False once it has fired or been cancelled. */
  readonly active: boolean;
}

export interface DeadlineWheelOptions {
  /** Width of a bucket in ms: entries fire up to this late, never early. Default 4. */
  readonly resolution?: number;
}

export const DEFAULT_WHEEL_RESOLUTION = 4;

class Entry implements WheelHandle {
  readonly at: number;
  fn: ((arg: any) => void) | undefined;
  arg: unknown;
  bucket: Bucket | undefined;
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;

  constructor(at: number, fn: (arg: any) => void, arg: unknown) {
    this.at = at;
    this.fn = fn;
    this.arg = arg;
  }

  get active(): boolean {
    return this.bucket !== undefined;
  }
}

/** The entries of one time slot, as an intrusive doubly-linked list (O(1) unlink). */
class Bucket {
  readonly key: number;
  head: Entry | undefined = undefined;
  tail: Entry | undefined = undefined;
  size = 0;
  /** Entries were appended in non-decreasing `at` order (the usual case: now + a fixed timeout). */
  ordered = true;

  constructor(key: number) {
    this.key = key;
  }
}

/**
 * One clock timer for many deadlines. Deadlines fall into buckets of `resolution` ms; a single
 * Clock timer is armed for the earliest bucket, so scheduling and cancelling cost a Map lookup
 * and a list link, not a `setTimeout`/`clearTimeout` pair per call. Entries fire in time order,
 * up to `resolution` ms late and never early. With `systemClock` the timer is unref'd.
 *
 * @example
 * const wheel = new DeadlineWheel(systemClock);
 * const h = wheel.schedule(systemClock.now() + 2000, (ctx) => ctx.cancellation.cancel(err), ctx);
 * wheel.cancel(h); // the call finished first
 */
export class DeadlineWheel {
  readonly resolution: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<number, Bucket>();
  /** Min-heap of the keys of `#buckets` (each key once). */
  readonly #heap: number[] = [];
  #size = 0;
  #timer: TimerHandle | undefined = undefined;
  #armedKey = Infinity;
  #firing = false;
  readonly #tick = (): void => this.#onTimer();

  constructor(clock: Clock, o: DeadlineWheelOptions = {}) {
    const resolution = o.resolution ?? DEFAULT_WHEEL_RESOLUTION;
    if (!(resolution > 0) || !Number.isFinite(resolution)) throw new RangeError(`DeadlineWheel: resolution must be a positive number of ms, got ${resolution}`);
    this.#clock = clock;
    this.resolution = resolution;
  }

  /** Entries scheduled and not yet fired or cancelled. */
  get size(): number {
    return this.#size;
  }

  /**
   * Calls `fn(arg)` at (or just after) Clock time `atMs`; a past time fires on the next tick,
   * and Infinity or NaN never (until cancelled): no value can disorder the wheel or spin its timer.
   */
  schedule(atMs: number, fn: () => void): WheelHandle;
  schedule<A>(atMs: number, fn: (arg: A) => void, arg: A): WheelHandle;
  schedule(atMs: number, fn: (arg: unknown) => void, arg?: unknown): WheelHandle {
    const e = new Entry(atMs, fn, arg);
    // NaN would break the heap's order (every comparison false) and starve the entries behind it.
    const key = atMs < Infinity ? Math.ceil(atMs / this.resolution) : Infinity;
    let b = this.#buckets.get(key);
    if (b === undefined) {
      b = new Bucket(key);
      this.#buckets.set(key, b);
      heapPush(this.#heap, key);
    }
    const tail = b.tail;
    if (tail === undefined) b.head = e;
    else {
      tail.next = e;
      e.prev = tail;
      if (atMs < tail.at) b.ordered = false;
    }
    b.tail = e;
    b.size++;
    e.bucket = b;
    this.#size++;
    if (key < this.#armedKey && !this.#firing) this.#arm(key);
    return e;
  }

  /** Forgets an entry; a no-op if it already fired or was cancelled. */
  cancel(handle: WheelHandle): void {
    const e = handle as Entry;
    const b = e.bucket;
    if (b === undefined) return;
    unlink(b, e);
    e.fn = undefined;
    e.arg = undefined;
    this.#size--;
  }

  /** Cancels every entry and the clock timer. */
  close(): void {
    for (const b of this.#buckets.values()) {
      for (let e = b.head; e; e = e.next) {
        e.bucket = undefined;
        e.fn = undefined;
        e.arg = undefined;
      }
    }
    this.#buckets.clear();
    this.#heap.length = 0;
    this.#size = 0;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedKey = Infinity;
  }

  #arm(key: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#armedKey = key;
    this.#timer = this.#clock.setTimeout(this.#tick, Math.max(0, key * this.resolution - this.#clock.now()));
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#armedKey = Infinity;
    this.#firing = true;
    const heap = this.#heap;
    try {
      const dueKey = Math.floor(this.#clock.now() / this.resolution);
      while (heap.length > 0 && heap[0]! <= dueKey) {
        const key = heapPop(heap);
        const b = this.#buckets.get(key)!;
        this.#buckets.delete(key);
        if (b.size > 0) this.#fire(b);
      }
    } finally {
      this.#firing = false;
      // Arm for the earliest bucket that still holds entries; drop emptied ones on the way.
      while (heap.length > 0) {
        const key = heap[0]!;
        if (this.#buckets.get(key)!.size > 0) {
          this.#arm(key);
          break;
        }
        heapPop(heap);
        this.#buckets.delete(key);
      }
    }
  }

  #fire(b: Bucket): void {
    if (!b.ordered) sortBucket(b);
    for (let e = b.head; e !== undefined; e = b.head) {
      unlink(b, e);
      this.#size--;
      const fn = e.fn!;
      const arg = e.arg;
      e.fn = undefined;
      e.arg = undefined;
      try {
        fn(arg);
      } catch (err) {
        // One failing callback must not stop the others or leave the wheel unarmed.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

function unlink(b: Bucket, e: Entry): void {
  const { prev, next } = e;
  if (prev) prev.next = next;
  else b.head = next;
  if (next) next.prev = prev;
  else b.tail = prev;
  e.prev = e.next = undefined;
  e.bucket = undefined;
  b.size--;
}

function sortBucket(b: Bucket): void {
  const all: Entry[] = [];
  for (let e = b.head; e; e = e.next) all.push(e);
  all.sort((x, y) => x.at - y.at); // stable: equal times keep their scheduling order
  b.head = all[0];
  b.tail = all[all.length - 1];
  for (let i = 0; i < all.length; i++) {
    all[i]!.prev = all[i - 1];
    all[i]!.next = all[i + 1];
  }
  b.ordered = true;
}

function heapPush(h: number[], v: number): void {
  let i = h.length;
  h.push(v);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): number {
  const top = h[0]!;
  const last = h.pop()!;
  const n = h.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
