import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { constants as h2, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { guardSession, type H2SessionLimits } from '../../../src/server/h2-session-guard.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

/** The slice of a server session the guard uses, recording what it was told. */
class FakeSession extends EventEmitter {
  closed = false;
  destroyed = false;
  readonly goaways: number[] = [];
  close(): void {
    this.closed = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  goaway(code: number): void {
    this.goaways.push(code);
  }
  /** A stream arrives; returns it so the test can close or abort it. */
  open(closed = false): EventEmitter & { closed: boolean } {
    const stream = Object.assign(new EventEmitter(), { closed });
    this.emit('stream', stream);
    return stream;
  }
}

const limits: H2SessionLimits = { prefaceTimeout: 1000, idleTimeout: 500, resetBurst: 3, resetRate: 1 };

function guarded(l: H2SessionLimits = limits) {
  const clock = new FakeClock();
  const session = new FakeSession();
  const socket = Object.assign(new EventEmitter(), { destroyed: false, destroy: () => (socket.destroyed = true) });
  const log = new RecordingLogger();
  guardSession(session as unknown as ServerHttp2Session, socket as unknown as Socket, l, log, clock);
  return { clock, session, socket, log };
}

describe('guardSession', () => {
  it('drops a session whose client SETTINGS do not arrive within the preface timeout', () => {
    const { clock, session } = guarded({ ...limits, idleTimeout: 0 });
    clock.advance(999);
    expect(session.destroyed).toBe(false);
    clock.advance(1);
    expect(session.destroyed).toBe(true);
  });

  it('keeps a session whose SETTINGS came in time', () => {
    const { clock, session } = guarded({ ...limits, idleTimeout: 0 });
    clock.advance(100);
    session.emit('remoteSettings', {});
    clock.advance(10_000);
    expect(session.destroyed).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('closes (GOAWAY) a session with no open stream for the idle timeout, counted from its last stream', () => {
    const { clock, session } = guarded();
    session.emit('remoteSettings', {});
    const stream = session.open();
    clock.advance(2000); // a stream open far past the idle timeout: not idle
    expect(session.closed).toBe(false);
    stream.emit('close');
    clock.advance(499);
    expect(session.closed).toBe(false);
    clock.advance(1);
    expect(session.closed).toBe(true);
    expect(session.destroyed).toBe(false); // graceful: GOAWAY, then Node closes it
  });

  it('a new stream restarts the idle time', () => {
    const { clock, session } = guarded();
    session.emit('remoteSettings', {});
    clock.advance(400);
    session.open().emit('close');
    clock.advance(400);
    expect(session.closed).toBe(false);
    clock.advance(100);
    expect(session.closed).toBe(true);
  });

  it('past the reset burst, GOAWAY ENHANCE_YOUR_CALM and the session is destroyed; the bucket refills over time', () => {
    const { clock, session, log } = guarded({ ...limits, idleTimeout: 0 });
    session.emit('remoteSettings', {});
    for (let i = 0; i < 3; i++) session.open().emit('aborted');
    expect(session.destroyed).toBe(false);
    clock.advance(1000); // one more token
    session.open().emit('aborted');
    expect(session.destroyed).toBe(false);
    session.open().emit('aborted');
    expect(session.goaways).toEqual([h2.NGHTTP2_ENHANCE_YOUR_CALM]);
    expect(session.destroyed).toBe(true);
    expect(log.at('warn')).toHaveLength(1);
  });

  it('counts a stream that was reset before the session was handed out', () => {
    const { session } = guarded({ ...limits, idleTimeout: 0 });
    for (let i = 0; i < 4; i++) session.open(true);
    expect(session.goaways).toEqual([h2.NGHTTP2_ENHANCE_YOUR_CALM]);
  });

  it('a FIN from the client ends the connection (HTTP/2 has no half-close)', () => {
    const { socket } = guarded();
    socket.emit('end');
    expect(socket.destroyed).toBe(true);
  });

  it('stops its timers when the session closes', () => {
    const { clock, session } = guarded();
    session.emit('close');
    expect(clock.pendingTimers).toBe(0);
  });
});
