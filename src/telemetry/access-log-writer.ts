import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Logger } from '../core/index.js';
import type { LineSink } from './access-log.js';

/** A batch this large is written at once rather than at the next turn of the event loop. */
const FLUSH_BYTES = 64 * 1024;
/**
 * Past this much written but not yet taken by the stream (a slow disk, a stdout pipe nobody
 * reads), new lines are dropped: an access log must not grow the heap without bound.
 */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * Gathers access-log lines and writes them in batches: at the next `setImmediate`, or at once
 * past FLUSH_BYTES, so a request costs a push, not a write call. To standard output, or appended
 * to a file (`flags: 'a'`). A write error is logged once and the log goes quiet; it never throws
 * into a request.
 *
 * @example
 * const writer = new AccessLogWriter({ path: '/var/log/checkout-access.log', log });
 * writer.push('{"msg":"outbound request"}');
 * await writer.close();
 */
export class AccessLogWriter implements LineSink {
  readonly path: string | undefined;
  readonly #stream: Writable;
  readonly #owned: boolean;
  readonly #log: Logger;
  #lines: string[] = [];
  #bytes = 0;
  #scheduled = false;
  #broken = false;
  #warnedFull = false;
  #closed = false;

  constructor(o: { path?: string | undefined; log: Logger; stream?: Writable }) {
    this.path = o.path;
    this.#log = o.log;
    this.#owned = o.stream === undefined && o.path !== undefined;
    this.#stream = o.stream ?? (o.path !== undefined ? createWriteStream(o.path, { flags: 'a' }) : process.stdout);
    this.#stream.on('error', this.#failed);
  }

  push(line: string): void {
    if (this.#broken || this.#closed) return;
    if (this.#stream.writableLength > MAX_PENDING_BYTES) {
      if (!this.#warnedFull) this.#log.warn('access log: the output does not keep up; dropping lines until it does', { path: this.path ?? 'stdout' });
      this.#warnedFull = true;
      return;
    }
    this.#lines.push(line);
    this.#bytes += line.length + 1;
    if (this.#bytes >= FLUSH_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushSoon);
    }
  }

  /** Writes what is gathered now. */
  flush(): void {
    if (this.#lines.length === 0 || this.#broken) return;
    const chunk = `${this.#lines.join('\n')}\n`;
    this.#lines = [];
    this.#bytes = 0;
    this.#stream.write(chunk);
  }

  /** Flushes, then (a file) closes the stream; resolves once the lines are handed to the OS. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.flush();
    this.#closed = true;
    const stream = this.#stream;
    if (this.#broken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        stream.off('error', done);
        // A shared standard output keeps no listener of a closed log; a file keeps its own, since
        // `end`'s callback can run before the stream emits its error.
        if (!this.#owned) stream.off('error', this.#failed);
        resolve();
      };
      stream.once('error', done);
      if (this.#owned) stream.end(done);
      // Standard output stays open: the write callback says the batch left.
      else stream.write('', done);
    });
  }

  readonly #flushSoon = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  readonly #failed = (err: Error): void => {
    if (this.#broken) return;
    this.#broken = true;
    this.#lines = [];
    this.#log.error('access log: writing failed; no more lines will be written', { path: this.path ?? 'stdout', err });
  };
}
