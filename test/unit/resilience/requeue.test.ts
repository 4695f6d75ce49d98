import { describe, expect, it } from 'vitest';
import { FakeClock, TransportError, createCallContext, type CallContext } from '../../../src/core/index.js';
import { RetryBudget } from '../../../src/resilience/retry-budget.js';
import { requeue, type RequeuePolicy } from '../../../src/resilience/requeue.js';
import { mockService } from '../../helpers/mock-service.js';

type Req = { readonly path: string };
type Res = { readonly status: number };

const policy: RequeuePolicy<Req> = {
  requeueable: (err) => (err instanceof TransportError && err.failure === 'connect-failure' ? 'connect-failure' : undefined),
  endpointOf: (err) => (err instanceof TransportError ? err.endpoint : undefined),
};

function setup(o: { min?: number; ratio?: number; maxRequeues?: number; deposit?: boolean } = {}) {
  const clock = new FakeClock();
  const budget = new RetryBudget({ ratio: o.ratio ?? 0, minRetriesPerSecond: o.min ?? 10 }, clock);
  const reasons: string[] = [];
  let exhausted = 0;
  const [svc, handle] = mockService<Req, Res>();
  const call = requeue<Req, Res>({
    clock,
    budget,
    policy,
    maxRequeues: o.maxRequeues ?? 2,
    deposit: o.deposit ?? true,
    onRequeue: (r) => reasons.push(r),
    onBudgetExhausted: () => exhausted++,
  })(svc);
  const ctx = (f: Partial<CallContext> = {}) => createCallContext({ service: 'orders', ...f });
  return { clock, budget, reasons, exhausted: () => exhausted, handle, call, ctx };
}

const refused = (endpoint: string) => new TransportError('connect-failure', 'ECONNREFUSED', { endpoint });

describe('requeue', () => {
  it('sends a request that was never processed again, avoiding the endpoint that failed', async () => {
    const { handle, call, ctx, reasons } = setup();
    const p = call({ path: '/' }, ctx());
    (await handle.next()).fail(refused('e1'));
    const second = await handle.next();
    expect(second.ctx.avoid).toBe('e1');
    second.respond({ status: 200 });
    expect(await p).toEqual({ status: 200 });
    expect(reasons).toEqual(['connect-failure']);
  });

  it('passes other failures through untouched', async () => {
    const { handle, call, ctx } = setup();
    const p = call({ path: '/' }, ctx());
    const reset = new TransportError('reset', 'ECONNRESET', { endpoint: 'e1' });
    (await handle.next()).fail(reset);
    expect(await p.catch((e: unknown) => e)).toBe(reset);
    expect(handle.calls.length).toBe(1);
  });

  it('stops after maxRequeues and gives the last failure', async () => {
    const { handle, call, ctx } = setup({ maxRequeues: 2 });
    const p = call({ path: '/' }, ctx());
    (await handle.next()).fail(refused('e1'));
    (await handle.next()).fail(refused('e2'));
    const last = refused('e3');
    (await handle.next()).fail(last);
    expect(await p.catch((e: unknown) => e)).toBe(last);
    expect(handle.calls.length).toBe(3);
  });

  it('draws on the retry budget and stops when it is spent', async () => {
    // No ratio and a reserve of 1 retry a second over a 10 s window: 10 requeues in all.
    const { handle, call, ctx, budget, exhausted } = setup({ min: 1, maxRequeues: 1 });
    expect(budget.balance()).toBe(10);
    for (let i = 0; i < 10; i++) {
      const p = call({ path: '/' }, ctx());
      (await handle.next()).fail(refused('e1'));
      (await handle.next()).respond({ status: 200 });
      await p;
    }
    expect(budget.balance()).toBe(0);
    const p = call({ path: '/' }, ctx());
    const err = refused('e1');
    (await handle.next()).fail(err);
    expect(await p.catch((e: unknown) => e)).toBe(err);
    expect(exhausted()).toBe(1);
  });

  it('deposits once per call only when asked to (no retry layer above does it)', () => {
    const a = setup({ min: 0, ratio: 1, deposit: true });
    const b = setup({ min: 0, ratio: 1, deposit: false });
    void a.call({ path: '/' }, a.ctx());
    void b.call({ path: '/' }, b.ctx());
    expect(a.budget.balance()).toBe(1);
    expect(b.budget.balance()).toBe(0);
  });

  it('does not re-send a cancelled call or one past its deadline', async () => {
    const { handle, call, ctx, clock } = setup();
    const late = call({ path: '/' }, ctx({ deadline: 100 }));
    const first = await handle.next();
    clock.advance(100);
    const err = refused('e1');
    first.fail(err);
    expect(await late.catch((e: unknown) => e)).toBe(err);
    const c = ctx();
    const cancelled = call({ path: '/' }, c);
    const attempt = await handle.next();
    c.cancellation.cancel(new Error('caller left'));
    attempt.fail(refused('e1'));
    await cancelled.catch(() => {});
    expect(handle.calls.length).toBe(2);
  });
});
