import type { Logger, Random } from '../../core/index.js';
import { CONTROL_WAIT_DEFAULT_MS } from '../../config/control-api.js';
import { fullJitterDelay } from './backoff.js';
import { ControlUnavailableError, type ControlAnswer, type ControlClient } from './control-client.js';

export interface BlockingWatchOptions<T> {
  readonly client: ControlClient;
  readonly feed: string;
  readonly path: string;
  /** Turns an answer into a value with its version; throws when the answer is not one (kept as a failure). */
  readonly parse: (answer: ControlAnswer) => { readonly value: T; readonly version: number };
  /** Every new version (the first answer, then each change). */
  readonly onValue: (value: T, version: number) => void;
  readonly random: Random;
  readonly log: Logger;
  /** The version already known (e.g. from the cache): the daemon answers at once only if it differs. */
  readonly knownVersion?: number;
  /** `wait` of each query; default CONTROL_WAIT_DEFAULT_MS. */
  readonly waitMs?: number;
}

/** An unchanged answer within a tenth of this means the daemon did not block (a 404, an old daemon): pause rather than spin. */
const MIN_QUERY_INTERVAL_MS = 1000;

/**
 * A Consul-style blocking query kept running: `GET path?version=N&wait=30s` answers when the
 * version moves past N (or when `wait` passes, with the same version). Each query's timeout is a
 * little above `wait`, so a daemon that vanished mid-query is noticed; failures back off with full
 * jitter (250 ms doubling to 30 s) and the last value stays with whoever received it.
 * `stop()` (or closing the client) aborts the query in flight.
 *
 * @example
 * const watch = new BlockingWatch({ client, feed: 'config', path: '/v1/config', parse, onValue, random, log });
 * await watch.first(); // answered, or failed once
 */
export class BlockingWatch<T> {
  readonly #o: BlockingWatchOptions<T>;
  readonly #stop = new AbortController();
  #version: number | undefined;
  #failures = 0;
  #settle!: (answered: boolean) => void;
  readonly #first = new Promise<boolean>((resolve) => (this.#settle = resolve));

  constructor(o: BlockingWatchOptions<T>) {
    this.#o = o;
    this.#version = o.knownVersion;
    void this.#run();
  }

  /** True once the daemon answered, false when the first query failed (the watch goes on). */
  first(): Promise<boolean> {
    return this.#first;
  }

  get failures(): number {
    return this.#failures;
  }

  stop(): void {
    this.#stop.abort();
    this.#settle(false);
  }

  get #stopped(): boolean {
    return this.#stop.signal.aborted || this.#o.client.signal.aborted;
  }

  async #run(): Promise<void> {
    const waitMs = this.#o.waitMs ?? CONTROL_WAIT_DEFAULT_MS;
    while (!this.#stopped) {
      const asked = this.#version;
      const query = asked === undefined ? '' : `?version=${asked}&wait=${Math.max(1, Math.round(waitMs / 1000))}s`;
      const started = Date.now();
      try {
        const answer = await this.#o.client.call(`${this.#o.path}${query}`, {
          feed: this.#o.feed,
          // Slightly above `wait`: the daemon may add its own jitter, and the answer needs a moment to arrive.
          timeoutMs: asked === undefined ? Math.min(waitMs, 10_000) : Math.ceil(waitMs * 1.1) + 2000,
          signal: this.#stop.signal,
        });
        if (this.#stopped) return;
        const { value, version } = this.#o.parse(answer);
        if (this.#failures > 0) this.#o.log.info('control watch recovered', { feed: this.#o.feed, path: this.#o.path, failures: this.#failures });
        this.#failures = 0;
        this.#settle(true);
        if (version !== this.#version || asked === undefined) {
          this.#version = version;
          this.#o.onValue(value, version);
        } else if (Date.now() - started < MIN_QUERY_INTERVAL_MS / 10) {
          await this.#o.client.pause(MIN_QUERY_INTERVAL_MS, this.#stop.signal);
        }
      } catch (err) {
        if (this.#stopped) return;
        if (!(err instanceof ControlUnavailableError)) this.#o.client.reportFailure(this.#o.feed);
        this.#failures++;
        this.#settle(false);
        const delay = fullJitterDelay(this.#failures, this.#o.random);
        // The client logs the daemon going away once; each further failure is only worth debug.
        (this.#failures === 1 ? this.#o.log.warn : this.#o.log.debug).call(this.#o.log, 'control watch failed; retrying', {
          feed: this.#o.feed,
          path: this.#o.path,
          error: (err as Error).message,
          failures: this.#failures,
          retryInMs: delay,
        });
        await this.#o.client.pause(delay, this.#stop.signal);
      }
    }
  }
}
