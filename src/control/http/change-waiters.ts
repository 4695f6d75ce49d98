import type { Clock } from '../../experimental.js';

interface Waiter {
  readonly changed: () => boolean;
  readonly wake: () => void;
}

/**
 * The blocking queries parked on a topic (the config, one service's set), woken when the
 * topic changes and its version differs from the caller's, when their wait passes, when the
 * client goes away, or when the daemon closes. Timers run on the given clock (unref'd).
 */
export class ChangeWaiters {
  readonly #clock: Clock;
  readonly #byTopic = new Map<string, Set<Waiter>>();
  #count = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#count;
  }

  /** Resolves when `changed()` holds after a notify, after `waitMs`, or when `abandoned` fires. */
  wait(topic: string, changed: () => boolean, waitMs: number, abandoned: { once(event: 'close', fn: () => void): unknown; off(event: 'close', fn: () => void): unknown }): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#byTopic.get(topic) ?? new Set<Waiter>();
      this.#byTopic.set(topic, set);
      const timer = this.#clock.setTimeout(() => wake(), waitMs);
      const waiter: Waiter = { changed, wake: () => wake() };
      const wake = (): void => {
        if (!set.delete(waiter)) return;
        this.#count--;
        if (set.size === 0 && this.#byTopic.get(topic) === set) this.#byTopic.delete(topic);
        this.#clock.clearTimeout(timer);
        abandoned.off('close', wake);
        resolve();
      };
      set.add(waiter);
      this.#count++;
      abandoned.once('close', wake);
    });
  }

  notify(topic: string): void {
    const set = this.#byTopic.get(topic);
    if (!set) return;
    for (const w of [...set]) if (w.changed()) w.wake();
  }

  /** Answers every parked query now (the daemon is closing). */
  wakeAll(): void {
    for (const set of [...this.#byTopic.values()]) for (const w of [...set]) w.wake();
  }
}
