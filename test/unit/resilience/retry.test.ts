import { describe, expect, it, vi } from 'vitest';
import { FakeClock, TransportError, createCallContext, seededRandom, type CallContext } from '../../../src/core/index.js';
import { RetryBudget } from '../../../src/resilience/retry-budget.js';
import { MAX_RETRY_WAIT_MS, retry } from '../../../src/resilience/retry.js';
import { flush, mockService } from '../../helpers/mock-service.js';
import { TestPolicy, retryConfig, type Req, type Res } from './retry-test-policy.js';

function setup(o: { attempts?: number; base?: number; ratio?: number; min?: number } = {}) {
  const clock = new FakeClock();
  const policy = new TestPolicy();
  const budget = new RetryBudget({ ratio: o.ratio ?? 0.2, minRetriesPerSecond: o.min ?? 10 }, clock);
  const onRetry = vi.fn();
  const onBudgetExhausted = vi.fn();
  const [svc, handle] = mockService<Req, Res>();
  const cfg = retryConfig({ attempts: o.attempts ?? 3, backoff: { base: o.base ?? 10, max: 100 } });
  const call = retry<Req, Res>(cfg, { clock, random: seededRandom(1), budget, policy, onRetry, onBudgetExhausted })(svc);
  const ctx = (f: Partial<CallContext> = {}) => createCallContext({ service: 'orders', ...f });
  return { clock, policy, budget, onRetry, onBudgetExhausted, handle, call, ctx };
}

const connectFailure = (endpoint: string) => new TransportError('connect-failure', 'ECONNREFUSED', { endpoint });

describe('retry', () => {
  it('retries a 503 on another endpoint after a backoff, discarding the first response', async () => {
    const { clock, policy, onRetry, handle, call, ctx } = setup();
    const p = call({ path: '/a' }, ctx());
    const first = await handle.next();
    expect([first.ctx.attempt, first.req.attempt]).toEqual([1, undefined]);
    const r503 = { status: 503, endpoint: 'e1' };
    first.respond(r503);
    await flush();
    expect(onRetry).toHaveBeenCalledWith('503');
    expect(policy.discarded).toEqual([r503]);
    clock.advance(10); // the first backoff is below base
    const second = await handle.next();
    expect([second.ctx.attempt, second.ctx.avoid, second.req.attempt]).toEqual([2, 'e1', 2]);
    second.respond({ status: 200, endpoint: 'e2' });
    expect(await p).toEqual({ status: 200, endpoint: 'e2' });
  });

  it('retries errors the policy names and passes others through', async () => {
    const { clock, handle, call, ctx } = setup({ base: 0 });
    const p = call({ path: '/a' }, ctx());
    (await handle.next()).fail(connectFailure('e1'));
    const second = await handle.next();
    expect(second.ctx.avoid).toBe('e1');
    const fatal = new TransportError('reset', 'ECONNRESET');
    second.fail(fatal);
    expect(await p.catch((e: unknown) => e)).toBe(fatal);
    expect(handle.calls.length).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('returns a response the policy does not retry as it is', async () => {
    const { handle, call, ctx, policy } = setup();
    const p = call({ path: '/a' }, ctx());
    (await handle.next()).respond({ status: 500, endpoint: 'e1' });
    expect((await p).status).toBe(500);
    expect(handle.calls.length).toBe(1);
    expect(policy.discarded).toEqual([]);
  });

  it('stops after cfg.attempts and returns the last response', async () => {
    const { clock, handle, call, ctx, policy } = setup({ attempts: 3 });
    const p = call({ path: '/a' }, ctx());
    for (let i = 1; i <= 3; i++) {
      (await handle.next()).respond({ status: 503, endpoint: `e${i}` });
      await flush();
      clock.advance(100);
    }
    expect(await p).toEqual({ status: 503, endpoint: 'e3' });
    expect(handle.calls.length).toBe(3);
    expect(policy.discarded.map((r) => r.endpoint)).toEqual(['e1', 'e2']);
  });

  it('returns the original response, not discarded, when the budget is exhausted', async () => {
    const { handle, call, ctx, policy, onBudgetExhausted, onRetry } = setup({ ratio: 0, min: 0 });
    const p = call({ path: '/a' }, ctx());
    const r503 = { status: 503, endpoint: 'e1' };
    (await handle.next()).respond(r503);
    expect(await p).toBe(r503);
    expect(policy.discarded).toEqual([]);
    expect(onBudgetExhausted).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('rejects with the original error when the budget is exhausted', async () => {
    const { handle, call, ctx, onBudgetExhausted } = setup({ ratio: 0, min: 0 });
    const p = call({ path: '/a' }, ctx());
    const err = connectFailure('e1');
    (await handle.next()).fail(err);
    expect(await p.catch((e: unknown) => e)).toBe(err);
    expect(onBudgetExhausted).toHaveBeenCalledTimes(1);
  });

  it('does not retry sooner than retry-after', async () => {
    const { clock, handle, call, ctx } = setup({ base: 10 });
    const p = call({ path: '/a' }, ctx());
    (await handle.next()).respond({ status: 503, endpoint: 'e1', retryAfter: 1000 });
    await flush();
    clock.advance(999);
    await flush();
    expect(handle.calls.length).toBe(1);
    clock.advance(1);
    (await handle.next()).respond({ status: 200, endpoint: 'e2' });
    expect((await p).status).toBe(200);
  });

  it('does not hold a call without a deadline for a retry-after longer than MAX_RETRY_WAIT_MS', async () => {
    const { handle, call, ctx, budget, clock } = setup();
    const before = budget.balance();
    const p = call({ path: '/a' }, ctx());
    const r503 = { status: 503, endpoint: 'e1', retryAfter: 999_999_999_000 };
    (await handle.next()).respond(r503);
    const settled = await Promise.race([p, flush().then(() => 'pending')]);
    expect(settled).toBe(r503);
    expect(budget.balance()).toBe(before);
    expect(clock.pendingTimers).toBe(0);
  });

  it('waits out a retry-after of exactly MAX_RETRY_WAIT_MS', async () => {
    const { handle, call, ctx, clock } = setup();
    const p = call({ path: '/a' }, ctx());
    (await handle.next()).respond({ status: 503, endpoint: 'e1', retryAfter: MAX_RETRY_WAIT_MS });
    await flush();
    clock.advance(MAX_RETRY_WAIT_MS);
    (await handle.next()).respond({ status: 200, endpoint: 'e2' });
    expect((await p).status).toBe(200);
  });

  it('does not retry when the wait would end after the deadline', async () => {
    const { handle, call, ctx, budget, clock } = setup();
    const before = budget.balance();
    const p = call({ path: '/a' }, ctx({ deadline: 500 }));
    const r503 = { status: 503, endpoint: 'e1', retryAfter: 500 };
    (await handle.next()).respond(r503);
    expect(await p).toBe(r503);
    expect(budget.balance()).toBe(before); // nothing withdrawn
    expect(clock.pendingTimers).toBe(0);
  });

  it('retries when the wait ends before the deadline', async () => {
    const { handle, call, ctx, clock } = setup();
    const p = call({ path: '/a' }, ctx({ deadline: 500 }));
    (await handle.next()).respond({ status: 503, endpoint: 'e1', retryAfter: 499 });
    await flush();
    clock.advance(499);
    (await handle.next()).respond({ status: 200, endpoint: 'e2' });
    expect((await p).status).toBe(200);
  });

  it('rejects with the reason when the caller cancels during the backoff', async () => {
    const { clock, handle, call, ctx } = setup({ base: 100 });
    const c = ctx();
    const p = call({ path: '/a' }, c);
    (await handle.next()).respond({ status: 503, endpoint: 'e1', retryAfter: 50 });
    await flush();
    expect(clock.pendingTimers).toBe(1);
    c.cancellation.cancel('caller gave up');
    expect(await p.catch((e: unknown) => e)).toBe('caller gave up');
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1000);
    await flush();
    expect(handle.calls.length).toBe(1);
  });

  it("never retries after the caller's cancellation", async () => {
    const { handle, call, ctx, policy } = setup({ base: 0 });
    policy.retryAll = true;
    const c = ctx();
    const p = call({ path: '/a' }, c);
    await handle.next();
    c.cancellation.cancel('stop'); // the mock rejects with the reason, as the transport does
    expect(await p.catch((e: unknown) => e)).toBe('stop');
    expect(handle.calls.length).toBe(1);
  });

  it('does not retry a request that cannot be replayed', async () => {
    const { handle, call, ctx, budget } = setup();
    const before = budget.balance();
    const p = call({ path: '/a', streamed: true }, ctx());
    const err = connectFailure('e1');
    (await handle.next()).fail(err);
    expect(await p.catch((e: unknown) => e)).toBe(err);
    expect(budget.balance()).toBe(before);
  });

  it('deposits once per logical call, whatever its attempts', async () => {
    const { handle, call, ctx, clock } = setup({ ratio: 1, min: 0, base: 0 });
    const p = call({ path: '/a' }, ctx());
    (await handle.next()).fail(connectFailure('e1')); // balance 1 → retry withdraws it
    (await handle.next()).fail(connectFailure('e2')); // balance 0 → no second retry
    await expect(p).rejects.toMatchObject({ endpoint: 'e2' });
    expect(handle.calls.length).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps attempts within 1.25 × calls when every attempt fails (ratio 0.2, 1 retry/s minimum)', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1 }, clock);
    const onBudgetExhausted = vi.fn();
    let attempts = 0;
    const failing = (): Promise<Res> => {
      attempts++;
      return Promise.reject(connectFailure('e1'));
    };
    const cfg = retryConfig({ attempts: 3, backoff: { base: 0, max: 0 } });
    const call = retry<Req, Res>(cfg, { clock, random: seededRandom(3), budget, policy: new TestPolicy(), onBudgetExhausted })(failing);
    const calls = 6000; // 100 per second for 60 s
    for (let i = 0; i < calls; i++) {
      await call({ path: '/a' }, createCallContext({ service: 'orders' })).catch(() => {});
      clock.advance(10);
    }
    const retries = attempts - calls;
    expect(retries).toBeLessThanOrEqual(0.2 * calls + 1 * (60 + 10));
    expect(attempts / calls).toBeLessThanOrEqual(1.25);
    expect(onBudgetExhausted.mock.calls.length).toBeGreaterThan(calls * 0.7);
  });

  it('is the service itself when attempts is 1, and checks its options', () => {
    const clock = new FakeClock();
    const deps = { clock, random: Math.random, budget: new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1 }, clock), policy: new TestPolicy() };
    const [svc] = mockService<Req, Res>();
    expect(retry<Req, Res>(retryConfig({ attempts: 1 }), deps)(svc)).toBe(svc);
    expect(() => retry(retryConfig({ attempts: 0 }), deps)).toThrow(RangeError);
    expect(() => retry(retryConfig({ backoff: { base: 100, max: 10 } }), deps)).toThrow(RangeError);
  });
});
