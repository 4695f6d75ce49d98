import { constants as h2, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { systemClock, type Clock, type Logger, type TimerHandle } from '../core/index.js';
import { TokenBucket } from './token-bucket.js';

/** What one h2c session may do before the server ends it. */
export interface H2SessionLimits {
  /** The client's connection preface and first SETTINGS must arrive within this (ms), as an HTTP/1.1 head must. 0: no limit. */
  readonly prefaceTimeout: number;
  /** A session with no open stream for this long is closed with GOAWAY (ms), as an idle HTTP/1.1 keep-alive connection is. 0: no limit. */
  readonly idleTimeout: number;
  /** Streams the client may abandon (RST_STREAM) in a burst, refilled at `resetRate` per second. */
  readonly resetBurst: number;
  readonly resetRate: number;
}

/** Streams one session may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS; RFC 9113 asks for no fewer than 100). */
export const MAX_CONCURRENT_STREAMS = 128;

/**
 * Resets a session may send before it is told ENHANCE_YOUR_CALM. A client may cancel everything
 * it has in flight at once (twice over, say on a reconnect), and keep cancelling a stream per
 * stream slot each second (hedged and abandoned calls); a rapid-reset attack (CVE-2023-44487)
 * opens and cancels streams as fast as it can write, so each reset costs us a handler that ran.
 */
export const RESET_BURST = 2 * MAX_CONCURRENT_STREAMS;
export const RESET_RATE = MAX_CONCURRENT_STREAMS;

/**
 * Watches one server session for the ways a client can pin it, which nghttp2 and Node leave
 * open: a preface that never completes (the session would wait forever), a session kept open
 * with no stream (HTTP/1.1 has its keep-alive timeout; HTTP/2 had none), and streams opened and
 * cancelled faster than any client needs (rapid reset; Node's own limiter allows 1000 at once
 * and answers with INTERNAL_ERROR). A reset is counted when the stream is aborted, which Node
 * reports synchronously while it parses the frames, so a flood stops within the read that
 * crossed the limit and the streams behind it never reach the application.
 *
 * `socket` is the connection under the session (the session's own `socket` is a proxy that
 * refuses to be destroyed). The idle timer is lazy: one timer per session that re-arms itself,
 * never one per stream. Only streams still being answered count as reset: one the application
 * had already ended cost nothing more than any request.
 */
export function guardSession(session: ServerHttp2Session, socket: Socket, limits: H2SessionLimits, log: Logger, clock: Clock = systemClock): void {
  // HTTP/2 has no half-close of the connection: a FIN means the client is gone, and its streams
  // with it. (The port's sockets allow half-open ones, for HTTP/1.1.)
  socket.once('end', () => socket.destroy());
  let open = 0;
  let idleSince = clock.now();
  let idleTimer: TimerHandle | undefined;
  const resets = new TokenBucket(limits.resetRate, limits.resetBurst, clock.now());

  // 0 turns a timeout off, as it does on Node's HTTP/1.1 server.
  let prefaceTimer: TimerHandle | undefined;
  if (limits.prefaceTimeout > 0) {
    prefaceTimer = clock.setTimeout(() => {
      prefaceTimer = undefined;
      log.debug('http2: no connection preface and SETTINGS in time, connection dropped', { timeoutMs: limits.prefaceTimeout });
      session.destroy();
    }, limits.prefaceTimeout);
  }
  session.once('remoteSettings', () => {
    if (prefaceTimer !== undefined) clock.clearTimeout(prefaceTimer);
    prefaceTimer = undefined;
  });

  const checkIdle = (): void => {
    idleTimer = undefined;
    if (session.closed || session.destroyed) return;
    const left = open > 0 ? limits.idleTimeout : idleSince + limits.idleTimeout - clock.now();
    if (left > 0) idleTimer = clock.setTimeout(checkIdle, left);
    else session.close(); // GOAWAY NO_ERROR naming the last stream processed
  };
  if (limits.idleTimeout > 0) idleTimer = clock.setTimeout(checkIdle, limits.idleTimeout);

  function onStreamClose(): void {
    if (--open === 0) idleSince = clock.now();
  }
  function onStreamAborted(): void {
    if (session.closed || session.destroyed) return; // the session is going anyway: its streams end with it
    if (resets.take(clock.now()) === 0) return;
    log.warn('http2: too many streams reset by the client, session closed with ENHANCE_YOUR_CALM', { burst: limits.resetBurst, ratePerSecond: limits.resetRate });
    session.goaway(h2.NGHTTP2_ENHANCE_YOUR_CALM);
    session.destroy();
  }
  // Before the server's own listener, which hands the stream to the application.
  session.prependListener('stream', (stream: ServerHttp2Stream) => {
    // Streams that came with the preface were parsed, and maybe reset, before this session was
    // handed out: their 'aborted' has passed, so count it now.
    if (stream.closed) return onStreamAborted();
    open++;
    stream.once('aborted', onStreamAborted);
    stream.once('close', onStreamClose);
  });
  session.once('close', () => {
    if (prefaceTimer !== undefined) clock.clearTimeout(prefaceTimer);
    if (idleTimer !== undefined) clock.clearTimeout(idleTimer);
    prefaceTimer = idleTimer = undefined;
  });
}
