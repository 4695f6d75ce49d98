import { hostname } from 'node:os';
import type { Random } from '../core/index.js';
import type { AccessLogConfig } from '../config/types.js';

/** Where a line goes: the buffered writer, or a test's array. */
export interface LineSink {
  push(line: string): void;
}

/** One request as a layer or the inbound stack saw it; the access log picks what it prints. */
export interface AccessLogRecord {
  readonly direction: 'inbound' | 'outbound';
  /** Outbound: the destination service; inbound: the caller's service when known (its SPIFFE ID). */
  readonly peerService: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly destinationIdentity?: string | undefined;
  readonly route: string;
  readonly method: string | undefined;
  /** The request target as sent: the query string is cut off here, never logged. */
  readonly path: string | undefined;
  /** undefined when no response came (outbound errors). */
  readonly status: number | undefined;
  /** The MeshError code (or error name) when the request failed. */
  readonly error?: string | undefined;
  readonly durationMs: number;
  /** Outbound: attempts the logical call made (retries and hedges included). */
  readonly attempts?: number | undefined;
  /** Outbound: the endpoint that answered. */
  readonly endpoint?: string | undefined;
  readonly traceId?: string | undefined;
  readonly spanId?: string | undefined;
  /** Looks up a request header (lower-case name); only the configured names are asked for. */
  readonly header: (name: string) => string | undefined;
}

/** pino's level number for `info`. */
const INFO = 30;

/**
 * The access log of one workload: one JSON line per sampled request, in pino's shape (`level`,
 * `time`, `pid`, `hostname`, `msg`) so the usual tools read it. Only the request headers the
 * config lists are printed, never bodies. Callers ask `sample()` before building a record, so an
 * unsampled request costs one random number.
 *
 * @example
 * const log = new AccessLog(cfg, { service: 'checkout', random: Math.random, sink: writer });
 * if (log.sample()) log.write({ direction: 'outbound', ... });
 */
export class AccessLog {
  #cfg: AccessLogConfig;
  readonly #service: string;
  readonly #random: Random;
  readonly #sink: LineSink;
  readonly #pid = process.pid;
  readonly #hostname = hostname();

  constructor(cfg: AccessLogConfig, o: { service: string; random: Random; sink: LineSink }) {
    this.#cfg = cfg;
    this.#service = o.service;
    this.#random = o.random;
    this.#sink = o.sink;
  }

  get config(): AccessLogConfig {
    return this.#cfg;
  }

  /** A reload that keeps the log on: new ratio, headers and directions, same writer. */
  reconfigure(cfg: AccessLogConfig): void {
    this.#cfg = cfg;
  }

  /** Whether to log this request (`sampleRatio`), decided before anything is built. */
  sample(): boolean {
    const ratio = this.#cfg.sampleRatio;
    return ratio >= 1 || (ratio > 0 && this.#random() < ratio);
  }

  write(r: AccessLogRecord): void {
    this.#sink.push(JSON.stringify(this.#line(r)));
  }

  #line(r: AccessLogRecord): Record<string, unknown> {
    const line: Record<string, unknown> = {
      level: INFO,
      time: Date.now(),
      pid: this.#pid,
      hostname: this.#hostname,
      msg: `${r.direction} request`,
      direction: r.direction,
      service: this.#service,
      peer_service: r.peerService,
      source_identity: r.sourceIdentity,
      destination_identity: r.destinationIdentity,
      route: r.route,
      method: r.method,
      path: withoutQuery(r.path),
      status: r.status,
      error: r.error,
      duration_ms: Math.round(r.durationMs * 1000) / 1000,
      attempts: r.attempts,
      endpoint: r.endpoint,
      trace_id: r.traceId,
      span_id: r.spanId,
    };
    const names = this.#cfg.headers;
    if (names.length > 0) {
      const headers: Record<string, string> = {};
      let any = false;
      for (const name of names) {
        const v = r.header(name);
        if (v === undefined) continue;
        headers[name] = v;
        any = true;
      }
      if (any) line.request_headers = headers;
    }
    return line;
  }
}

/** The path without its query string (and fragment): queries carry tokens and personal data. */
export function withoutQuery(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const q = path.indexOf('?');
  const h = path.indexOf('#');
  const end = q < 0 ? h : h < 0 ? q : Math.min(q, h);
  return end < 0 ? path : path.slice(0, end);
}
