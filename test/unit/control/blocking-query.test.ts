import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/experimental.js';
import { parseBlockingQuery } from '../../../src/control/http/blocking-query.js';
import { ChangeWaiters } from '../../../src/control/http/change-waiters.js';
import { ControlHttpError } from '../../../src/control/http/control-http-error.js';

const q = (s: string) => parseBlockingQuery(new URLSearchParams(s));

describe('parseBlockingQuery', () => {
  it('reads version and wait (ms, s, m), with the default wait', () => {
    expect(q('')).toEqual({ version: undefined, waitMs: 30_000 });
    expect(q('version=7&wait=250ms')).toEqual({ version: 7, waitMs: 250 });
    expect(q('wait=1.5s').waitMs).toBe(1500);
    expect(q('wait=5m').waitMs).toBe(300_000);
  });

  it('refuses anything else with a 400', () => {
    for (const s of ['version=', 'version=-1', 'version=0x1', 'wait=', 'wait=1h', 'wait=5m1ms', 'wait=301s', 'wait=30', 'version=1&version=1']) {
      expect(() => q(s), s).toThrow(ControlHttpError);
    }
  });
});

describe('ChangeWaiters', () => {
  it('wakes a waiter when its topic changes to another version, at its wait, or when the client goes', async () => {
    const clock = new FakeClock();
    const waiters = new ChangeWaiters(clock);
    let version = 1;
    const woke: string[] = [];
    const client = () => new EventEmitter();
    void waiters.wait('config', () => version !== 1, 1000, client()).then(() => woke.push('change'));
    void waiters.wait('config', () => version !== 1, 500, client()).then(() => woke.push('wait'));
    const gone = client();
    void waiters.wait('other', () => false, 10_000, gone).then(() => woke.push('gone'));
    expect(waiters.size).toBe(3);
    waiters.notify('config');
    clock.advance(500);
    await Promise.resolve();
    expect(woke).toEqual(['wait']);
    version = 2;
    waiters.notify('config');
    gone.emit('close');
    await Promise.resolve();
    expect(woke).toEqual(['wait', 'change', 'gone']);
    expect(waiters.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('wakeAll answers every parked query', async () => {
    const waiters = new ChangeWaiters(new FakeClock());
    const parked = [waiters.wait('a', () => false, 1e9, new EventEmitter()), waiters.wait('b', () => false, 1e9, new EventEmitter())];
    waiters.wakeAll();
    await Promise.all(parked);
    expect(waiters.size).toBe(0);
  });
});
