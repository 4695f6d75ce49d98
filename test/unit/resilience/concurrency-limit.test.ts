import { describe, expect, it } from 'vitest';
import { createCallContext, type MeshError } from '../../../src/core/index.js';
import { ConcurrencyLimiter, concurrencyLimit } from '../../../src/resilience/concurrency-limit.js';
import { flush, mockService } from '../../helpers/mock-service.js';

function setup(maxInFlight: number, maxPending: number) {
  const limiter = new ConcurrencyLimiter({ maxInFlight, maxPending });
  const [svc, handle] = mockService<string, string>();
  const call = concurrencyLimit<string, string>(limiter)(svc);
  const counts = () => ({ inFlight: limiter.inFlight, pending: limiter.pending, rejected: limiter.rejected, reached: handle.calls.length });
  return { limiter, handle, call, counts };
}

const ctx = () => createCallContext({ service: 'orders' });

describe('concurrencyLimit', () => {
  it('runs maxInFlight calls, queues maxPending, and rejects the rest as overloaded', async () => {
    const { handle, call, counts } = setup(2, 2);
    const results = ['a', 'b', 'c', 'd', 'e'].map((r) => call(r, ctx()).catch((e: unknown) => e));
    expect(counts()).toEqual({ inFlight: 2, pending: 2, rejected: 1, reached: 2 });
    const err = (await results[4]) as MeshError;
    expect([err.name, err.code, err.rejected, err.retryable, err.service]).toEqual(['OverloadedError', 'MESH_ERR_OVERLOADED', true, true, 'orders']);

    const [a, b] = [await handle.next(), await handle.next()];
    expect([a.req, b.req]).toEqual(['a', 'b']);
    b.respond('B');
    await flush();
    expect(counts()).toEqual({ inFlight: 2, pending: 1, rejected: 1, reached: 3 });
    const c = await handle.next();
    expect(c.req).toBe('c'); // first in, first out
    a.fail(new Error('A failed')); // a failure frees its slot too
    await flush();
    const d = await handle.next();
    expect(counts()).toEqual({ inFlight: 2, pending: 0, rejected: 1, reached: 4 });
    c.respond('C');
    d.respond('D');
    await flush();
    expect(counts()).toEqual({ inFlight: 0, pending: 0, rejected: 1, reached: 4 });
    expect(await Promise.all(results.slice(1, 4))).toEqual(['B', 'C', 'D']);
  });

  it('takes a cancelled waiter out of the queue with its reason', async () => {
    const { handle, call, counts } = setup(1, 5);
    void call('a', ctx());
    const c2 = ctx();
    const p2 = call('b', c2);
    void call('c', ctx());
    expect(counts()).toEqual({ inFlight: 1, pending: 2, rejected: 0, reached: 1 });
    c2.cancellation.cancel('gave up');
    expect(await p2.catch((e: unknown) => e)).toBe('gave up');
    expect(counts()).toEqual({ inFlight: 1, pending: 1, rejected: 0, reached: 1 });
    (await handle.next()).respond('A');
    await flush();
    expect((await handle.next()).req).toBe('c');
    expect(handle.calls.map((x) => x.req)).toEqual(['a', 'c']);
  });

  it('rejects an already cancelled call instead of queueing it', async () => {
    const { call, counts } = setup(1, 5);
    void call('a', ctx());
    const c = ctx();
    c.cancellation.cancel('no');
    expect(await call('b', c).catch((e: unknown) => e)).toBe('no');
    expect(counts()).toEqual({ inFlight: 1, pending: 0, rejected: 0, reached: 1 });
  });

  it('fails fast with no queue', async () => {
    const { call, counts } = setup(1, 0);
    void call('a', ctx());
    const err = (await call('b', ctx()).catch((e: unknown) => e)) as MeshError;
    expect(err.code).toBe('MESH_ERR_OVERLOADED');
    expect(counts()).toEqual({ inFlight: 1, pending: 0, rejected: 1, reached: 1 });
  });

  it('shares one limiter between layers built from it', async () => {
    const limiter = new ConcurrencyLimiter({ maxInFlight: 1, maxPending: 0 });
    const [svc] = mockService<string, string>();
    const one = concurrencyLimit<string, string>(limiter)(svc);
    const two = concurrencyLimit<string, string>(limiter)(svc);
    void one('a', ctx());
    expect(((await two('b', ctx()).catch((e: unknown) => e)) as MeshError).code).toBe('MESH_ERR_OVERLOADED');
  });

  it('checks its options', () => {
    expect(() => new ConcurrencyLimiter({ maxInFlight: 0, maxPending: 0 })).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter({ maxInFlight: 1, maxPending: -1 })).toThrow(RangeError);
  });
});
