import { describe, expect, it } from 'vitest';
import { AttemptHandler } from '../../../src/client/http/attempt-handler.js';
import { Cancellation, createCallContext } from '../../../src/core/context.js';
import type { HttpResponse, LegacyHandler } from '../../../src/client/http/http-types.js';

/** A caller's handler that records what reaches it. */
function recorder(opts: { pauseOnHeaders?: boolean } = {}): LegacyHandler & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    onResponseStarted: () => events.push('started'),
    onHeaders: (status) => (events.push(`headers:${status}`), !opts.pauseOnHeaders),
    onData: (c) => (events.push(`data:${c.toString()}`), true),
    onComplete: () => events.push('complete'),
    onError: (e) => events.push(`error:${e.message}`),
  };
}

function attempt(cancellation = new Cancellation()) {
  let resolved: HttpResponse | undefined;
  let rejected: unknown;
  const h = new AttemptHandler('127.0.0.1:1', createCallContext({ service: 's' }, cancellation), (r) => (resolved = r), (e) => (rejected = e));
  return { h, get resolved() { return resolved; }, get rejected() { return rejected; } };
}

const raw = [Buffer.from('Retry-After'), Buffer.from('3')];

describe('AttemptHandler', () => {
  it('resolves at headers and replays a body that arrived before delivery, in order', () => {
    const a = attempt();
    a.h.onConnect(() => {});
    a.h.onHeaders(200, raw, () => {}, 'OK');
    expect(a.resolved?.statusCode).toBe(200);
    expect(a.resolved?.header('retry-after')).toBe('3');
    a.h.onData(Buffer.from('a'));
    a.h.onData(Buffer.from('b'));
    a.h.onComplete(null);
    const done: Array<Error | null> = [];
    a.resolved!.onDone((e) => done.push(e));
    const r = recorder();
    a.resolved!.deliver(r);
    expect(r.events).toEqual(['started', 'headers:200', 'data:a', 'data:b', 'complete']);
    expect(done).toEqual([null]);
  });

  it('passes data straight through once delivered, and 1xx headers are not a response', () => {
    const a = attempt();
    a.h.onHeaders(100, [], () => {}, 'Continue');
    expect(a.resolved).toBeUndefined();
    a.h.onHeaders(201, [], () => {}, 'Created');
    const r = recorder();
    a.resolved!.deliver(r);
    a.h.onData(Buffer.from('x'));
    a.h.onComplete(null);
    expect(r.events).toEqual(['started', 'headers:201', 'data:x', 'complete']);
  });

  it('pauses the socket past 1 MiB buffered, and resumes on delivery', () => {
    const a = attempt();
    let resumed = 0;
    a.h.onHeaders(200, [], () => resumed++, 'OK');
    const big = Buffer.alloc(600 * 1024);
    expect(a.h.onData(big)).toBe(true);
    expect(a.h.onData(big)).toBe(false);
    a.resolved!.deliver(recorder());
    expect(resumed).toBe(1);
  });

  it('rejects with a TransportError before headers, and never reaches a caller', () => {
    const a = attempt();
    a.h.onError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(a.rejected).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'connect-failure', endpoint: '127.0.0.1:1' });
  });

  it('forwards a body error after delivery as a transport error, and reports it to done listeners', () => {
    const a = attempt();
    a.h.onHeaders(200, [], () => {}, 'OK');
    const r = recorder();
    const done: Array<Error | null> = [];
    a.resolved!.onDone((e) => done.push(e));
    a.resolved!.deliver(r);
    const cause = Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
    a.h.onError(cause);
    expect(r.events).toEqual(['started', 'headers:200', 'error:127.0.0.1:1: reset: socket hang up']);
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ code: 'MESH_ERR_TRANSPORT', failure: 'reset', cause });
  });

  it('tells every done listener, in the order they came, once the body ends', () => {
    const a = attempt();
    a.h.onHeaders(200, [], () => {}, 'OK');
    const done: string[] = [];
    for (const name of ['metrics', 'caller', 'third', 'fourth']) a.resolved!.onDone((e) => done.push(`${name}:${e === null ? 'ok' : e.message}`));
    a.resolved!.deliver(recorder());
    expect(done).toEqual([]);
    a.h.onComplete(null);
    expect(done).toEqual(['metrics:ok', 'caller:ok', 'third:ok', 'fourth:ok']);
    a.resolved!.onDone((e) => done.push(`late:${e === null ? 'ok' : e.message}`));
    expect(done.at(-1)).toBe('late:ok');
  });

  it('aborts the attempt when the call is cancelled, rejecting with the caller’s reason', () => {
    const c = new Cancellation();
    const a = attempt(c);
    const aborted: unknown[] = [];
    a.h.onConnect((reason) => {
      aborted.push(reason);
      a.h.onError(reason as Error);
    });
    const why = new Error('caller left');
    c.cancel(why);
    expect(aborted).toEqual([why]);
    expect(a.rejected).toBe(why);
  });

  it('drops a discarded body and aborts one that is too large to drain', () => {
    const a = attempt();
    let aborts = 0;
    a.h.onConnect(() => aborts++);
    a.h.onHeaders(503, [], () => {}, 'Unavailable');
    a.resolved!.discard();
    a.h.onData(Buffer.alloc(1000));
    expect(aborts).toBe(0);
    a.h.onData(Buffer.alloc(70 * 1024));
    expect(aborts).toBe(1);
  });
});
