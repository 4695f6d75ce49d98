import { describe, expect, it, vi } from 'vitest';
import { FakeClock, TransportError, createCallContext, type MeshError } from '../../../src/core/index.js';
import { DeadlineWheel } from '../../../src/resilience/deadline-wheel.js';
import { hedge } from '../../../src/resilience/hedge.js';
import { flush, mockService } from '../../helpers/mock-service.js';
import { TestPolicy, type Req, type Res } from './retry-test-policy.js';

function setup(o: { delay?: number; maxAttempts?: number; honourCancellation?: boolean } = {}) {
  const clock = new FakeClock();
  const policy = new TestPolicy();
  const onHedge = vi.fn();
  const wheel = new DeadlineWheel(clock, { resolution: 1 });
  const [svc, handle] = mockService<Req, Res>({ honourCancellation: o.honourCancellation });
  const call = hedge<Req, Res>({ delay: o.delay ?? 50, maxAttempts: o.maxAttempts ?? 2 }, { clock, policy, onHedge, wheel })(svc);
  return { clock, policy, onHedge, handle, call, wheel };
}

describe('hedge', () => {
  it('starts a second attempt after the delay, on its own cancellation; the first answer wins', async () => {
    const { clock, policy, onHedge, handle, call, wheel } = setup({ honourCancellation: false });
    const ctx = createCallContext({ service: 'orders' });
    const p = call({ path: '/a' }, ctx);
    const first = await handle.next();
    clock.advance(49);
    expect(handle.calls.length).toBe(1);
    clock.advance(1);
    const second = await handle.next();
    expect(onHedge).toHaveBeenCalledTimes(1);
    expect([first.ctx.attempt, second.ctx.attempt, second.req.attempt]).toEqual([1, 2, 2]);
    expect(first.ctx.cancellation).not.toBe(ctx.cancellation);
    expect(second.ctx.cancellation).not.toBe(first.ctx.cancellation);

    second.respond({ status: 200, endpoint: 'e2' });
    expect(await p).toEqual({ status: 200, endpoint: 'e2' });
    const lost = first.ctx.cancellation.reason as MeshError;
    expect([first.ctx.cancellation.cancelled, lost.code]).toEqual([true, 'MESH_ERR_CANCELLED']);
    expect(second.ctx.cancellation.cancelled).toBe(false);
    expect(ctx.cancellation.cancelled).toBe(false);

    // The loser ignored its cancellation and answered late: its response is discarded.
    first.respond({ status: 200, endpoint: 'e1' });
    await flush();
    expect(policy.discarded).toEqual([{ status: 200, endpoint: 'e1' }]);
    expect(wheel.size).toBe(0); // no timer outlives the call
  });

  it('does not hedge when the first attempt answers in time', async () => {
    const { clock, onHedge, handle, call, wheel } = setup();
    const p = call({ path: '/a' }, createCallContext({ service: 'orders' }));
    clock.advance(30);
    (await handle.next()).respond({ status: 200, endpoint: 'e1' });
    expect((await p).endpoint).toBe('e1');
    expect(wheel.size).toBe(0); // no timer outlives the call
    clock.advance(100);
    expect(handle.calls.length).toBe(1);
    expect(onHedge).not.toHaveBeenCalled();
  });

  it('starts the next attempt at once when one fails, avoiding its endpoint', async () => {
    const { clock, handle, call, wheel } = setup({ maxAttempts: 3 });
    const p = call({ path: '/a' }, createCallContext({ service: 'orders' }));
    (await handle.next()).fail(new TransportError('connect-failure', 'refused', { endpoint: 'e1' }));
    const second = await handle.next();
    expect([second.ctx.avoid, clock.now()]).toEqual(['e1', 0]);
    second.respond({ status: 200, endpoint: 'e2' });
    expect((await p).endpoint).toBe('e2');
    expect(wheel.size).toBe(0); // no timer outlives the call
  });

  it('rejects with the last error when every attempt fails, leaving no timer', async () => {
    const { clock, handle, call, wheel } = setup({ maxAttempts: 3, delay: 10 });
    const p = call({ path: '/a' }, createCallContext({ service: 'orders' }));
    clock.advance(10);
    clock.advance(10);
    const [a, b, c] = [await handle.next(), await handle.next(), await handle.next()];
    expect(wheel.size).toBe(0); // all three started: no more timers
    a.fail(new Error('a'));
    c.fail(new Error('c'));
    await flush();
    const last = new Error('b');
    b.fail(last);
    expect(await p.catch((e: unknown) => e)).toBe(last);
  });

  it('stops hedging when the request cannot be sent again', async () => {
    const { clock, handle, call, wheel } = setup();
    const p = call({ path: '/a', streamed: true }, createCallContext({ service: 'orders' }));
    clock.advance(100);
    expect(handle.calls.length).toBe(1);
    (await handle.next()).respond({ status: 200, endpoint: 'e1' });
    expect((await p).status).toBe(200);
  });

  it("stops every attempt when the caller cancels", async () => {
    const { clock, handle, call, wheel } = setup();
    const ctx = createCallContext({ service: 'orders' });
    const p = call({ path: '/a' }, ctx);
    clock.advance(50);
    const [a, b] = [await handle.next(), await handle.next()];
    ctx.cancellation.cancel('gone');
    expect(await p.catch((e: unknown) => e)).toBe('gone');
    expect([a.ctx.cancellation.reason, b.ctx.cancellation.reason]).toEqual(['gone', 'gone']);
    expect(wheel.size).toBe(0); // no timer outlives the call
  });

  it('keeps its timers on the shared wheel, and none after the call', async () => {
    const { clock, handle, call, wheel } = setup();
    const p = call({ path: '/a' }, createCallContext({ service: 'orders' }));
    expect(wheel.size).toBe(1);
    clock.advance(50);
    await handle.next();
    (await handle.next()).respond({ status: 200, endpoint: 'e2' });
    await p;
    expect(wheel.size).toBe(0);
  });

  it('is the service itself with maxAttempts 1, and checks its options', () => {
    const clock = new FakeClock();
    const [svc] = mockService<Req, Res>();
    const policy = new TestPolicy();
    const wheel = new DeadlineWheel(clock);
    expect(hedge<Req, Res>({ delay: 10, maxAttempts: 1 }, { clock, policy, wheel })(svc)).toBe(svc);
    expect(() => hedge({ delay: -1, maxAttempts: 2 }, { clock, policy, wheel })).toThrow(RangeError);
    expect(() => hedge({ delay: 1, maxAttempts: 0 }, { clock, policy, wheel })).toThrow(RangeError);
  });
});
