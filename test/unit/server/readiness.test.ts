import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { Readiness } from '../../../src/server/readiness.js';

describe('Readiness', () => {
  it('is ready when every check passes, and names the ones that do not', async () => {
    const r = new Readiness(new FakeClock());
    let db = false;
    r.add('config', () => true);
    r.add('db', async () => db);
    expect(await r.report()).toEqual({ ready: false, checks: { config: { ok: true }, db: { ok: false, message: 'check returned false' } } });
    db = true;
    expect((await r.report()).ready).toBe(true);
  });

  it('counts a throwing or rejecting check as failed, with its message', async () => {
    const r = new Readiness(new FakeClock());
    r.add('sync', () => {
      throw new Error('pool closed');
    });
    r.add('async', () => Promise.reject(new Error('no route to db')));
    const report = await r.report();
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual({ sync: { ok: false, message: 'pool closed' }, async: { ok: false, message: 'no route to db' } });
  });

  it('fails a check that does not answer in time', async () => {
    const clock = new FakeClock();
    const r = new Readiness(clock);
    r.add('hangs', () => new Promise<boolean>(() => {}));
    const pending = r.report(500);
    clock.advance(500);
    expect(await pending).toEqual({ ready: false, checks: { hangs: { ok: false, message: 'no answer within 500 ms' } } });
  });

  it('removes a check with the function add returned', async () => {
    const r = new Readiness(new FakeClock());
    const remove = r.add('flaky', () => false);
    expect((await r.report()).ready).toBe(false);
    remove();
    expect(await r.report()).toEqual({ ready: true, checks: {} });
  });
});
