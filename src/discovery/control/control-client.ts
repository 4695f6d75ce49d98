import { Agent, request } from 'undici';
import type { Clock, Logger } from '../../core/index.js';
import { CONTROL_VERSION_HEADER } from '../../config/control-api.js';

/** The daemon's TLS trust and this workload's client certificate (mTLS), as PEM. */
export interface ControlTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface ControlClientOptions {
  /** `control.url`. */
  readonly url: string;
  readonly tls: ControlTls;
  readonly clock: Clock;
  readonly log: Logger;
  /** Told each time the daemon starts or stops answering. */
  readonly onConnected?: (connected: boolean) => void;
  /** Told of every failed exchange, by feed (`config`, `registry`, `registration`). */
  readonly onFailure?: (feed: string) => void;
}

export interface ControlCall {
  /** What the exchange is for, in logs and `inmesh_control_watch_failures_total{feed}`. */
  readonly feed: string;
  readonly method?: 'GET' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  /** The whole exchange, connect to the last byte. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface ControlAnswer {
  readonly status: number;
  /** The `inmesh-version` header, when there is one. */
  readonly version: number | undefined;
  /** The JSON body (undefined for an empty one). */
  readonly body: unknown;
}

/** The daemon could not be asked: unreachable, timed out, a 5xx, or an answer that is not JSON. */
export class ControlUnavailableError extends Error {
  readonly status: number | undefined;
  constructor(message: string, o: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: o.cause });
    this.name = 'ControlUnavailableError';
    this.status = o.status;
  }
}

/** Answers of the v1 API are small: config texts and endpoint sets. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The workload's one connection to the control daemon: an undici Agent that trusts the daemon's
 * CA and presents this workload's certificate, swapped for a new one when the certificate
 * rotates (exchanges under way finish on the old one). It tracks whether the daemon answers, for
 * `inmesh_control_connected`; a 4xx is an answer, a 5xx or a network failure is not.
 * `close()` aborts every exchange and destroys the sockets, so nothing pins the event loop.
 *
 * @example
 * const client = new ControlClient({ url: 'https://127.0.0.1:7070', tls: { ca }, clock, log });
 * const answer = await client.call('/v1/config', { feed: 'config', timeoutMs: 3000 });
 */
export class ControlClient {
  readonly url: string;
  readonly #o: ControlClientOptions;
  #agent: Agent;
  readonly #retired = new Set<Agent>();
  readonly #closing = new AbortController();
  #connected: boolean | undefined;

  constructor(o: ControlClientOptions) {
    this.url = o.url;
    this.#o = o;
    this.#agent = this.#makeAgent(o.tls);
  }

  /** Aborted once the client closes: loops and pauses listen to it. */
  get signal(): AbortSignal {
    return this.#closing.signal;
  }

  get connected(): boolean {
    return this.#connected === true;
  }

  /** New trust or a rotated certificate: new connections use it, those open finish their exchange. */
  setTls(tls: ControlTls): void {
    if (this.#closing.signal.aborted) return;
    const old = this.#agent;
    this.#agent = this.#makeAgent(tls);
    this.#retired.add(old);
    void old.close().finally(() => this.#retired.delete(old));
  }

  async call(path: string, c: ControlCall): Promise<ControlAnswer> {
    const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(c.timeoutMs), ...(c.signal ? [c.signal] : [])]);
    let answer: ControlAnswer;
    try {
      answer = await this.#exchange(path, c, signal);
    } catch (err) {
      // Stopped on purpose (the client closing, a watch stopped): not the daemon's failure.
      if (this.#closing.signal.aborted || c.signal?.aborted) throw err;
      this.#o.onFailure?.(c.feed);
      this.#setConnected(false, err);
      throw err instanceof ControlUnavailableError ? err : new ControlUnavailableError(`the control daemon at ${this.url} did not answer: ${describe(err)}`, { cause: err });
    }
    this.#setConnected(true);
    return answer;
  }

  /** Counts a failure found after the exchange (an answer that is not one), as the exchange's own are. */
  reportFailure(feed: string): void {
    this.#o.onFailure?.(feed);
  }

  /** Waits `ms` on the clock, or less if the client closes or `signal` aborts. */
  pause(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const signals = [this.#closing.signal, ...(signal ? [signal] : [])];
      if (signals.some((s) => s.aborted)) return resolve();
      const done = () => {
        this.#o.clock.clearTimeout(timer);
        for (const s of signals) s.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.#o.clock.setTimeout(done, ms);
      for (const s of signals) s.addEventListener('abort', done, { once: true });
    });
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    await Promise.all([this.#agent, ...this.#retired].map((a) => a.destroy().catch(() => undefined)));
  }

  async #exchange(path: string, c: ControlCall, signal: AbortSignal): Promise<ControlAnswer> {
    const res = await request(new URL(path, this.url), {
      method: c.method ?? 'GET',
      dispatcher: this.#agent,
      signal,
      headersTimeout: c.timeoutMs,
      bodyTimeout: c.timeoutMs,
      ...(c.body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(c.body) }),
    });
    const text = await readBounded(res.body);
    const header = res.headers[CONTROL_VERSION_HEADER];
    const version = header === undefined ? undefined : Number(Array.isArray(header) ? header[0] : header);
    if (res.statusCode >= 500) throw new ControlUnavailableError(`the control daemon answered ${res.statusCode}: ${text.slice(0, 200)}`, { status: res.statusCode });
    let body: unknown;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new ControlUnavailableError(`the control daemon answered ${res.statusCode} with something that is not JSON`, { status: res.statusCode, cause: err });
      }
    }
    return { status: res.statusCode, version: Number.isSafeInteger(version) ? version : undefined, body };
  }

  /**
   * A connection the daemon accepted (TLS handshake done) counts as the daemon answering: after
   * a daemon restart, the watches' queries park on it at once and are answered only when
   * something changes or `wait` passes, so waiting for an answer would show it away for up to 30 s.
   */
  #makeAgent(tls: ControlTls): Agent {
    const agent = makeAgent(this.url, tls);
    agent.on('connect', () => this.#setConnected(true));
    return agent;
  }

  #setConnected(connected: boolean, err?: unknown): void {
    if (this.#connected === connected) return;
    const first = this.#connected === undefined;
    this.#connected = connected;
    this.#o.onConnected?.(connected);
    if (connected) this.#o.log.info(first ? 'control daemon connected' : 'control daemon reachable again', { url: this.url });
    else this.#o.log.warn('control daemon unreachable: keeping the last configuration and endpoints', { url: this.url, error: describe(err) });
  }
}

function makeAgent(url: string, tls: ControlTls): Agent {
  const https = url.startsWith('https:');
  return new Agent({
    connections: 8,
    keepAliveTimeout: 60_000,
    connect: {
      ...(https && tls.ca !== undefined && { ca: tls.ca }),
      ...(https && tls.cert !== undefined && tls.key !== undefined && { cert: tls.cert, key: tls.key }),
    },
  });
}

async function readBounded(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ControlUnavailableError(`the control daemon's answer is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(err: unknown): string {
  if (err === undefined) return 'unknown';
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const inner = e.cause && typeof e.cause === 'object' ? ` (${String(e.cause.code ?? e.cause.message)})` : '';
  return `${typeof e.code === 'string' ? `${e.code}: ` : ''}${String(e.message ?? err)}${inner}`;
}
