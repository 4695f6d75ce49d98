import { describe, expect, it } from 'vitest';
import { FakeClock, createCallContext, type TransportError } from '../../../src/core/index.js';
import { DeadlineWheel } from '../../../src/resilience/deadline-wheel.js';
import { isDeadlineExceeded } from '../../../src/resilience/deadline.js';
import { perTryTimeout } from '../../../src/resilience/per-try-timeout.js';
import { mockService } from '../../helpers/mock-service.js';

interface Res {
  status: number;
  done?: () => void;
}

function setup(perTry: number | undefined, withDone = false) {
  const clock = new FakeClock();
  const wheel = new DeadlineWheel(clock, { resolution: 1 });
  const [svc, handle] = mockService<string, Res>();
  const responseDone = withDone ? (res: Res, done: () => void) => (res.done = done) : undefined;
  const call = perTryTimeout<string, Res>({ perTryTimeout: perTry }, { clock, wheel, responseDone })(svc);
  return { clock, wheel, handle, call };
}

describe('perTryTimeout', () => {
  it('cancels only the attempt, with a retryable timeout error', async () => {
    const { clock, handle, call, wheel } = setup(100);
    const ctx = createCallContext({ service: 'orders' });
    const p = call('req', ctx);
    const c = await handle.next();
    expect(c.ctx.cancellation).not.toBe(ctx.cancellation);
    expect(c.ctx.deadline).toBe(100);
    clock.advance(100);
    const err = (await p.catch((e: unknown) => e)) as TransportError;
    expect([err.name, err.code, err.failure, err.retryable, err.rejected, err.service, err.attempt]).toEqual([
      'PerTryTimeoutError',
      'MESH_ERR_TRANSPORT',
      'timeout',
      true,
      false,
      'orders',
      1,
    ]);
    expect(c.ctx.cancellation.reason).toBe(err);
    expect(ctx.cancellation.cancelled).toBe(false);
    expect(wheel.size).toBe(0);
  });

  it('gives each attempt its own timer and cancellation', async () => {
    const { clock, handle, call } = setup(100);
    const ctx = createCallContext({ service: 'orders' });
    const p1 = call('a', ctx).catch((e: unknown) => e);
    clock.advance(60);
    const p2 = call('b', ctx.with({ attempt: 2 }));
    const [c1, c2] = [await handle.next(), await handle.next()];
    clock.advance(40);
    expect([c1.ctx.cancellation.cancelled, c2.ctx.cancellation.cancelled]).toEqual([true, false]);
    c2.respond({ status: 200 });
    expect((await p2).status).toBe(200);
    expect(((await p1) as TransportError).failure).toBe('timeout');
  });

  it('stops at the call deadline when it comes first, with the deadline error', async () => {
    const { clock, handle, call } = setup(100);
    const ctx = createCallContext({ service: 'orders', deadline: 30 });
    const p = call('req', ctx);
    const c = await handle.next();
    expect(c.ctx.deadline).toBe(30);
    clock.advance(30);
    const err = await p.catch((e: unknown) => e);
    expect(isDeadlineExceeded(err)).toBe(true);
  });

  it('fails fast when the call deadline has passed', async () => {
    const { handle, call } = setup(100);
    const err = await call('req', createCallContext({ service: 'orders', deadline: 0 })).catch((e: unknown) => e);
    expect(isDeadlineExceeded(err)).toBe(true);
    expect(handle.calls.length).toBe(0);
  });

  it("passes the caller's cancellation down to the attempt", async () => {
    const { handle, call } = setup(100);
    const ctx = createCallContext({ service: 'orders' });
    const p = call('req', ctx);
    const c = await handle.next();
    ctx.cancellation.cancel('caller gave up');
    expect(c.ctx.cancellation.reason).toBe('caller gave up');
    expect(await p.catch((e: unknown) => e)).toBe('caller gave up');
  });

  it('keeps a successful attempt cancellable by the caller until its body is done', async () => {
    const { handle, call } = setup(100, true);
    const ctx = createCallContext({ service: 'orders' });
    const p = call('req', ctx);
    const c = await handle.next();
    c.respond({ status: 200 });
    const res = await p;
    expect(typeof res.done).toBe('function');
    res.done!();
    ctx.cancellation.cancel('late');
    expect(c.ctx.cancellation.cancelled).toBe(false); // released: no longer follows the call

    const ctx2 = createCallContext({ service: 'orders' });
    const p2 = call('req', ctx2);
    const c2 = await handle.next();
    c2.respond({ status: 200 });
    await p2;
    ctx2.cancellation.cancel('mid-body');
    expect(c2.ctx.cancellation.reason).toBe('mid-body'); // body not done yet: still linked
  });

  it('is a no-op without a per-try timeout', () => {
    const clock = new FakeClock();
    const [svc] = mockService<string, Res>();
    expect(perTryTimeout<string, Res>({ perTryTimeout: undefined }, { clock, wheel: new DeadlineWheel(clock) })(svc)).toBe(svc);
    expect(() => perTryTimeout({ perTryTimeout: -1 }, { clock, wheel: new DeadlineWheel(clock) })).toThrow(RangeError);
  });
});
