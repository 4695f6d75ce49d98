import type { Logger, Random } from '../core/index.js';
import type { AccessLogConfig } from '../config/types.js';
import { AccessLog } from './access-log.js';
import { AccessLogWriter } from './access-log-writer.js';

/**
 * The access log as the config in force has it: `outbound` and `inbound` are undefined when that
 * direction is off, so the hooks read one property and do nothing else. A reload turns it on or
 * off, changes the ratio and headers in place, and reopens the writer only when `path` changes.
 *
 * @example
 * const control = new AccessLogControl({ service: 'checkout', random: Math.random, log });
 * control.apply(config.telemetry.accessLog);
 * control.outbound?.sample();
 */
export class AccessLogControl {
  readonly #service: string;
  readonly #random: Random;
  readonly #log: Logger;
  #current: AccessLog | undefined;
  #writer: AccessLogWriter | undefined;
  /** Writers replaced by a reload, still flushing. */
  readonly #closing = new Set<Promise<void>>();
  outbound: AccessLog | undefined;
  inbound: AccessLog | undefined;

  constructor(o: { service: string; random: Random; log: Logger }) {
    this.#service = o.service;
    this.#random = o.random;
    this.#log = o.log;
  }

  /** Applies a config's `telemetry.accessLog`; returns whether the outbound hook must be installed or removed (a stack rebuild). */
  apply(cfg: AccessLogConfig | undefined): boolean {
    const wasOutbound = this.outbound !== undefined;
    if (cfg === undefined) {
      this.#retireWriter();
      this.#current = undefined;
    } else {
      if (this.#writer === undefined || this.#writer.path !== cfg.path) {
        this.#retireWriter();
        this.#writer = new AccessLogWriter({ path: cfg.path, log: this.#log });
        this.#current = new AccessLog(cfg, { service: this.#service, random: this.#random, sink: this.#writer });
      } else this.#current!.reconfigure(cfg);
    }
    this.outbound = cfg?.outbound ? this.#current : undefined;
    this.inbound = cfg?.inbound ? this.#current : undefined;
    return wasOutbound !== (this.outbound !== undefined);
  }

  /** Writes what is gathered and closes the file; the log is off from here. */
  async close(): Promise<void> {
    this.outbound = this.inbound = this.#current = undefined;
    this.#retireWriter();
    await Promise.all(this.#closing);
  }

  #retireWriter(): void {
    const w = this.#writer;
    if (!w) return;
    this.#writer = undefined;
    const p = w.close().finally(() => this.#closing.delete(p));
    this.#closing.add(p);
  }
}
