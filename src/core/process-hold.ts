import { MAX_TIMER_MS } from './clock.js';

/**
 * Keeps the Node process alive while at least one call is in flight, whatever the call waits
 * on (a retry's backoff, a hedge delay, a deadline: the mesh's timers are all unref'd, so that
 * an idle mesh never holds a process open). One ref'd timer for the whole mesh, counted per
 * logical call; ref/unref toggle a flag, so the cost per call is two counter updates.
 *
 * @example
 * const hold = new ProcessHold();
 * hold.acquire(); // a call starts
 * hold.release(); // it settled: the process may exit again
 */
export class ProcessHold {
  #count = 0;
  #handle: NodeJS.Timeout | undefined;
  #closed = false;

  /** Calls in flight. */
  get count(): number {
    return this.#count;
  }

  acquire(): void {
    if (this.#count++ > 0) return;
    if (this.#handle) this.#handle.ref();
    else this.#handle = setInterval(noop, MAX_TIMER_MS);
  }

  release(): void {
    if (this.#count === 0 || --this.#count > 0) return;
    if (this.#closed) this.#drop();
    else this.#handle?.unref();
  }

  /** Drops the timer once no call is in flight (at once if none is). */
  close(): void {
    this.#closed = true;
    if (this.#count === 0) this.#drop();
  }

  #drop(): void {
    if (this.#handle) clearInterval(this.#handle);
    this.#handle = undefined;
  }
}

function noop(): void {}
