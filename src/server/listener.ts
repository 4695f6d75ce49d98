import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { constants as h2, createServer as createH2Server, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { systemClock, type Clock, type Logger } from '../core/index.js';
import { answerClientError } from './client-error.js';
import { h2RequestGate } from './h2-request-gate.js';
import { guardSession, MAX_CONCURRENT_STREAMS, RESET_BURST, RESET_RATE } from './h2-session-guard.js';
import { connectionsCheckingInterval, type ClientTimeouts } from './client-timeouts.js';
import { guardHttp1, PARSER_HEADER_COUNT } from './http1-guard.js';
import { ShapedIncomingMessage, ShapedServerResponse } from './shaped-messages.js';
import type { WorkloadIdentity } from '../identity/index.js';
import { MtlsFront, type MtlsMode, type TlsRefusal } from './mtls-front.js';
import { refusePlaintext } from './plaintext-refusal.js';
import type { TLSSocket } from 'node:tls';

/** mTLS on a listener: the workload's identity, and whether plaintext is still served beside it. */
export interface ListenerTls {
  readonly mode: MtlsMode;
  readonly identity: WorkloadIdentity;
  readonly onRefused: (reason: TlsRefusal) => void;
}

export interface ListenerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /**
   * Serve HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on the same port. When false, an
   * HTTP/2 client is told GOAWAY HTTP_1_1_REQUIRED, the standard signal to fall back. A session
   * gets the HTTP/1.1 server's head and keep-alive timeouts and header size limit, and HTTP/2's
   * own stream and reset limits (`guardSession`, `h2RequestGate`).
   */
  readonly http2: boolean;
  /** Largest request head accepted (bytes); bigger ones get 431. Default Node's 16 KiB. */
  readonly maxHeaderSize?: number;
  /** HTTP/1.1: how long a client has to send a head and a whole request, and how long an idle connection stays (ms). */
  readonly timeouts: ClientTimeouts;
  readonly onRequest: (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;
  readonly log: Logger;
  /** Serve mTLS (ALPN picks HTTP/2 or HTTP/1.1); absent: plaintext only. */
  readonly tls?: ListenerTls;
  /** For the refusal log's rate limit (default: the system clock). */
  readonly clock?: Clock;
}

/** The first byte of a TLS record carrying a handshake (the ClientHello). */
const TLS_HANDSHAKE = 0x16;

/** HTTP/2 clients with prior knowledge open with this preface; no HTTP/1.1 request starts with `PRI `. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const SNIFF_BYTES = 4;
/** A connection that sends nothing at all is dropped after this long (the parsers time out the rest). */
const FIRST_BYTES_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_HEADER_SIZE = 16 * 1024;

/**
 * One port for HTTP/1.1 and h2c. A plain `net.Server` accepts, looks at the first bytes, and hands
 * the socket to an HTTP/1.1 or an HTTP/2 server that never listen themselves. Owning the
 * listening socket lets draining stop accepting without Node closing the keep-alive connections
 * that are still being answered, and keeps every connection in one set for the drain to watch.
 * (Over TLS, once identity lands, ALPN makes the same choice: `http2.createSecureServer({ allowHTTP1: true })`.)
 *
 * @example
 * const l = await Listener.listen({ host: '127.0.0.1', port: 0, http2: true, onRequest, log });
 * l.stopAccepting(); await l.closed();
 */
export class Listener {
  readonly http1: Server;
  readonly http2: Http2Server;
  readonly host: string;
  readonly port: number;
  readonly #front: NetServer;
  readonly #sockets = new Set<Socket>();
  readonly #sniffing = new Set<Socket>();
  /** Sockets inside their TLS handshake: owned by no HTTP server yet, so the drain closes them itself. */
  readonly #handshaking = new Set<Socket>();
  readonly #sessions = new Set<ServerHttp2Session>();
  readonly #log: Logger;
  #tls: MtlsFront | undefined;
  #tlsRefused: ((reason: TlsRefusal) => void) | undefined;
  #accepting = true;
  /** The socket being handed to the HTTP/2 server, whose session is made while it is. */
  #handingOff: Socket | undefined = undefined;
  #closedWaiters: Array<() => void> = [];

  private constructor(front: NetServer, http1: Server, http2: Http2Server, host: string, port: number, log: Logger) {
    this.#front = front;
    this.http1 = http1;
    this.http2 = http2;
    this.host = host;
    this.port = port;
    this.#log = log;
  }

  static async listen(o: ListenerOptions): Promise<Listener> {
    const maxHeaderSize = o.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
    const t = o.timeouts;
    const http1 = createHttpServer(
      { IncomingMessage: ShapedIncomingMessage, ServerResponse: ShapedServerResponse, maxHeaderSize, noDelay: true, headersTimeout: t.headersTimeout, requestTimeout: t.requestTimeout, connectionsCheckingInterval: connectionsCheckingInterval(t) },
      guardHttp1(o.onRequest),
    );
    http1.keepAliveTimeout = t.keepAliveTimeout;
    http1.maxHeadersCount = PARSER_HEADER_COUNT;
    http1.on('clientError', (err: Error & { code?: string }, socket: Socket) => answerClientError(err, socket, maxHeaderSize, o.log));
    const http2 = createH2Server({ settings: { maxHeaderListSize: maxHeaderSize, maxConcurrentStreams: MAX_CONCURRENT_STREAMS } });
    if (o.http2) http2.on('request', h2RequestGate(maxHeaderSize, o.onRequest));
    // Same-port sockets arrive through `emit('connection')` and never pass through these servers' accept.
    const front = createNetServer({ allowHalfOpen: true, noDelay: true });
    let listener: Listener | undefined;
    front.on('connection', (socket: Socket) => {
      if (listener) listener.#accept(socket);
      else socket.destroy();
    });
    front.listen(o.port, o.host);
    await once(front, 'listening');
    // Node starts the HTTP/1.1 server's connection bookkeeping (header and request timeouts,
    // closeIdleConnections) on 'listening'; this server never listens itself, so say it did.
    http1.emit('listening');
    const { port } = front.address() as AddressInfo;
    listener = new Listener(front, http1, http2, o.host, port, o.log);
    if (o.tls) {
      const l = listener;
      l.#tlsRefused = o.tls.onRefused;
      l.#tls = new MtlsFront({
        mode: o.tls.mode,
        identity: o.tls.identity,
        http2: o.http2,
        handshakeTimeout: t.headersTimeout,
        onRefused: o.tls.onRefused,
        log: o.log,
        clock: o.clock ?? systemClock,
        onSecure: (socket) => l.#secured(socket),
      });
    }
    http2.on('session', (session: ServerHttp2Session) => listener!.#trackSession(session, o.http2));
    return listener;
  }

  /** `http://host:port`, or `https://` when only mTLS is served (IPv6 hosts in brackets). */
  get url(): string {
    const scheme = this.#tls?.mode === 'strict' ? 'https' : 'http';
    return `${scheme}://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** `strict` or `permissive` when mTLS is served. */
  get mtls(): MtlsMode | undefined {
    return this.#tls?.mode;
  }

  /** Open connections, HTTP/1.1 and HTTP/2. */
  get connections(): number {
    return this.#sockets.size;
  }

  /**
   * Closes the listening socket and sends HTTP/2 sessions GOAWAY (streams already open finish).
   * Open HTTP/1.1 connections stay: a request the client already sent on one is served, and its
   * response says `connection: close` (the stack marks it); `closeIdle` ends the rest.
   */
  stopAccepting(): void {
    if (!this.#accepting) return;
    this.#accepting = false;
    this.#front.close();
    for (const session of this.#sessions) session.close();
  }

  /** Closes HTTP/1.1 connections that are between requests, and connections that have sent nothing. */
  closeIdle(): void {
    for (const s of this.#sniffing) s.destroy();
    for (const s of this.#handshaking) s.destroy();
    this.http1.closeIdleConnections();
  }

  /** Resolves once every connection has closed. */
  closed(): Promise<void> {
    if (this.#sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }

  /** Past the drain timeout: drops every connection. */
  destroy(): void {
    this.stopAccepting();
    this.closeIdle();
    for (const session of this.#sessions) session.destroy();
    for (const s of this.#sockets) s.destroy();
  }

  /** Releases the servers' own timers once the sockets are gone. */
  dispose(): void {
    this.#tls?.close();
    this.http1.close();
    this.http1.closeAllConnections();
    this.http2.close();
  }

  #accept(socket: Socket): void {
    if (!this.#accepting) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    this.#sniffing.add(socket);
    socket.on('close', () => this.#forget(socket));
    socket.on('error', noop); // the owning server reports its own errors; before hand-off there is nothing to say
    socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, destroySilent);
    this.#sniff(socket, undefined);
  }

  #sniff(socket: Socket, seen: Buffer | undefined): void {
    socket.once('data', (chunk: Buffer) => {
      const head = seen ? Buffer.concat([seen, chunk]) : chunk;
      const n = Math.min(head.length, SNIFF_BYTES);
      const h2Prefix = head.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (h2Prefix && head.length < SNIFF_BYTES) {
        this.#sniff(socket, head); // a preface split across packets: wait for the rest
        return;
      }
      socket.pause();
      socket.unshift(head);
      this.#sniffing.delete(socket);
      if (this.#tls && head[0] === TLS_HANDSHAKE) {
        // The handshake has its own timeout; from the secure socket on, the HTTP servers' apply.
        this.#stopFirstBytesTimer(socket);
        this.#handshaking.add(socket);
        this.#tls.accept(socket);
        return;
      }
      if (this.#tls?.mode === 'strict') {
        this.#tlsRefused?.('plaintext');
        refusePlaintext(socket, h2Prefix);
        return;
      }
      this.#stopFirstBytesTimer(socket);
      this.#handOff(socket, h2Prefix);
    });
  }

  /** A verified mTLS connection, handed on as a plaintext one is after its sniff. */
  #secured(socket: TLSSocket): void {
    // Node keeps the socket a TLSSocket wraps as `_parent`: the one this listener accepted.
    const raw = (socket as TLSSocket & { _parent?: Socket })._parent;
    if (raw) this.#handshaking.delete(raw);
    this.#handOff(socket, socket.alpnProtocol === 'h2');
  }

  #stopFirstBytesTimer(socket: Socket): void {
    socket.setTimeout(0);
    socket.removeListener('timeout', destroySilent);
  }

  /** Gives a connection to the HTTP/2 or the HTTP/1.1 server; from here it owns the timeouts (headers, keep-alive). */
  #handOff(socket: Socket | TLSSocket, h2Session: boolean): void {
    if (h2Session) {
      this.#handingOff = socket;
      this.http2.emit('connection', socket); // emits 'session' at once
      this.#handingOff = undefined;
    } else {
      this.http1.emit('connection', socket);
      socket.resume();
    }
  }

  #trackSession(session: ServerHttp2Session, enabled: boolean): void {
    // The HTTP/1.1 server's timeouts are the port's: an h2c session gets the same, read per session.
    const { headersTimeout, keepAliveTimeout } = this.http1;
    const limits = { prefaceTimeout: headersTimeout, idleTimeout: keepAliveTimeout, resetBurst: RESET_BURST, resetRate: RESET_RATE };
    if (this.#handingOff) guardSession(session, this.#handingOff, limits, this.#log);
    if (!enabled) {
      // lastStreamID 0: nothing was processed, so the client may replay every stream over HTTP/1.1.
      session.goaway(h2.NGHTTP2_HTTP_1_1_REQUIRED, 0);
      session.close();
      return;
    }
    this.#sessions.add(session);
    session.on('close', () => this.#sessions.delete(session));
    session.on('error', (err: Error) => this.#log.debug('http2 session error', { err }));
    if (!this.#accepting) session.close();
  }

  #forget(socket: Socket): void {
    this.#sockets.delete(socket);
    this.#sniffing.delete(socket);
    this.#handshaking.delete(socket);
    if (this.#sockets.size === 0 && this.#closedWaiters.length > 0) {
      const waiters = this.#closedWaiters;
      this.#closedWaiters = [];
      for (const w of waiters) w();
    }
  }
}

function noop(): void {}

function destroySilent(this: Socket): void {
  this.destroy();
}
