import { describe, expect, it } from 'vitest';
import { FakeClock, createCallContext, seededRandom, type TransportError } from '../../../src/core/index.js';
import { DeadlineWheel } from '../../../src/resilience/deadline-wheel.js';
import { deadline, isDeadlineExceeded } from '../../../src/resilience/deadline.js';
import { perTryTimeout } from '../../../src/resilience/per-try-timeout.js';
import { RetryBudget } from '../../../src/resilience/retry-budget.js';
import { retry } from '../../../src/resilience/retry.js';
import { flush, mockService } from '../../helpers/mock-service.js';
import { TestPolicy, retryConfig, type Req, type Res } from './retry-test-policy.js';

/** deadline → retry → per-try timeout → service, as the client stack orders them. */
function setup(timeout: number, perTry: number) {
  const clock = new FakeClock();
  const wheel = new DeadlineWheel(clock, { resolution: 1 });
  const policy = new TestPolicy();
  policy.retryAll = true;
  const [svc, handle] = mockService<Req, Res>();
  const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 10 }, clock);
  const layers = [
    deadline<Req, Res>({ timeout }, { clock, wheel }),
    retry<Req, Res>(retryConfig({ attempts: 3, backoff: { base: 0, max: 0 } }), { clock, random: seededRandom(1), budget, policy }),
    perTryTimeout<Req, Res>({ perTryTimeout: perTry }, { clock, wheel }),
  ];
  const call = layers.reduceRight((next, layer) => layer(next), svc);
  return { clock, wheel, handle, call };
}

describe('deadline, retry and per-try timeout together', () => {
  it('retries attempts that time out, each on its own clock, then stops at the deadline', async () => {
    const { clock, wheel, handle, call } = setup(250, 100);
    const ctx = createCallContext({ service: 'orders' });
    const p = call({ path: '/a' }, ctx);
    const a1 = await handle.next();
    clock.advance(100);
    await flush();
    expect((a1.ctx.cancellation.reason as TransportError).failure).toBe('timeout');
    expect(ctx.cancellation.cancelled).toBe(false);
    const a2 = await handle.next();
    expect([a2.ctx.attempt, a2.ctx.deadline]).toEqual([2, 200]);
    clock.advance(100);
    await flush();
    const a3 = await handle.next();
    expect([a3.ctx.attempt, a3.ctx.deadline]).toEqual([3, 250]); // the call's deadline is nearer than the per-try timeout
    clock.advance(50);
    const err = await p.catch((e: unknown) => e);
    expect(isDeadlineExceeded(err)).toBe(true);
    expect(ctx.cancellation.reason).toBe(err);
    expect(handle.calls.length).toBe(3);
    expect(wheel.size).toBe(0);
  });

  it('answers with the attempt that succeeds within its per-try timeout', async () => {
    const { clock, wheel, handle, call } = setup(1000, 100);
    const p = call({ path: '/a' }, createCallContext({ service: 'orders' }));
    await handle.next();
    clock.advance(100);
    await flush();
    (await handle.next()).respond({ status: 200, endpoint: 'e2' });
    expect(await p).toEqual({ status: 200, endpoint: 'e2' });
    expect(wheel.size).toBe(0);
  });
});
