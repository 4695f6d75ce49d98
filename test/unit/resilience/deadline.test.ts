import { describe, expect, it } from 'vitest';
import { FakeClock, MeshError, createCallContext, type MeshErrorCode } from '../../../src/core/index.js';
import { DeadlineWheel } from '../../../src/resilience/deadline-wheel.js';
import { deadline, isDeadlineExceeded } from '../../../src/resilience/deadline.js';
import { flush, mockService } from '../../helpers/mock-service.js';

function setup(timeout: number | undefined, o: { honourCancellation?: boolean } = {}) {
  const clock = new FakeClock(1000);
  const wheel = new DeadlineWheel(clock, { resolution: 1 });
  const [svc, handle] = mockService<string, string>(o);
  const call = deadline<string, string>({ timeout }, { clock, wheel })(svc);
  return { clock, wheel, handle, call };
}

function expectDeadline(err: unknown, attempt = 1): void {
  expect(isDeadlineExceeded(err)).toBe(true);
  const e = err as MeshError;
  expect([e.name, e.code as MeshErrorCode, e.retryable, e.rejected, e.service, e.attempt]).toEqual([
    'DeadlineExceededError',
    'MESH_ERR_DEADLINE_EXCEEDED',
    false,
    false,
    'orders',
    attempt,
  ]);
}

describe('deadline', () => {
  it('cancels the downstream call at now + timeout and rejects with DeadlineExceededError', async () => {
    const { clock, handle, call, wheel } = setup(100);
    const p = call('req', createCallContext({ service: 'orders' }));
    const c = await handle.next();
    expect(c.ctx.deadline).toBe(1100);
    clock.advance(99);
    expect(c.ctx.cancellation.cancelled).toBe(false);
    clock.advance(1);
    expect(c.ctx.cancellation.cancelled).toBe(true);
    expectDeadline(c.ctx.cancellation.reason);
    const err = await p.catch((e: unknown) => e);
    expectDeadline(err);
    expect(err).toBe(c.ctx.cancellation.reason);
    expect(wheel.size).toBe(0);
  });

  it('gives the caller the deadline error even when the service below rejects with something else', async () => {
    const { clock, handle, call } = setup(50, { honourCancellation: false });
    const p = call('req', createCallContext({ service: 'orders' }));
    const c = await handle.next();
    clock.advance(50);
    c.fail(new Error('socket aborted'));
    expectDeadline(await p.catch((e: unknown) => e));
  });

  it('keeps an inherited deadline that is shorter than the timeout', async () => {
    const { clock, handle, call } = setup(1000);
    const ctx = createCallContext({ service: 'orders', deadline: 1050 });
    const p = call('req', ctx);
    const c = await handle.next();
    expect(c.ctx).toBe(ctx); // nothing to change
    clock.advance(50);
    expectDeadline(await p.catch((e: unknown) => e));
  });

  it('uses the timeout when it is shorter than the inherited deadline', async () => {
    const { handle, call } = setup(100);
    void call('req', createCallContext({ service: 'orders', deadline: 5000 })).catch(() => {});
    expect((await handle.next()).ctx.deadline).toBe(1100);
  });

  it('fails fast, without calling the service, when the deadline has already passed', async () => {
    const { handle, call, wheel } = setup(100);
    const err = await call('req', createCallContext({ service: 'orders', deadline: 1000, attempt: 2 })).catch((e: unknown) => e);
    expectDeadline(err, 2);
    expect(handle.calls.length).toBe(0);
    expect(wheel.size).toBe(0);
  });

  it('enforces an inherited deadline when it has no timeout of its own', async () => {
    const { clock, handle, call, wheel } = setup(undefined);
    const p = call('req', createCallContext({ service: 'orders', deadline: 1040 }));
    const c = await handle.next();
    expect(wheel.size).toBe(1);
    clock.advance(40);
    expect(c.ctx.cancellation.cancelled).toBe(true);
    expectDeadline(await p.catch((e: unknown) => e));
  });

  it('fails fast on an inherited deadline already past when it has no timeout of its own', async () => {
    const { handle, call } = setup(undefined);
    expectDeadline(await call('req', createCallContext({ service: 'orders', deadline: 1000 })).catch((e: unknown) => e));
    expect(handle.calls.length).toBe(0);
  });

  it('passes the call through untouched without any deadline', async () => {
    const { handle, call, wheel } = setup(undefined);
    const ctx = createCallContext({ service: 'orders' });
    const p = call('req', ctx);
    const c = await handle.next();
    expect(c.ctx).toBe(ctx);
    expect(wheel.size).toBe(0);
    c.respond('ok');
    expect(await p).toBe('ok');
  });

  it('forgets its wheel entry when the call answers in time', async () => {
    const { clock, handle, call, wheel } = setup(100);
    const ctx = createCallContext({ service: 'orders' });
    const p = call('req', ctx);
    (await handle.next()).respond('ok');
    expect(await p).toBe('ok');
    expect(wheel.size).toBe(0);
    clock.advance(200);
    expect(ctx.cancellation.cancelled).toBe(false);
  });

  it('passes other errors through unchanged', async () => {
    const { handle, call } = setup(100);
    const p = call('req', createCallContext({ service: 'orders' }));
    const boom = new Error('boom');
    (await handle.next()).fail(boom);
    expect(await p.catch((e: unknown) => e)).toBe(boom);
    await flush();
  });

  it('checks its options when built', () => {
    const clock = new FakeClock();
    expect(() => deadline({ timeout: 0 }, { clock, wheel: new DeadlineWheel(clock) })).toThrow(RangeError);
  });
});
