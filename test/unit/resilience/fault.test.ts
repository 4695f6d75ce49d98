import { describe, expect, it } from 'vitest';
import { FakeClock, createCallContext, seededRandom, type Service } from '../../../src/core/index.js';
import { fault } from '../../../src/resilience/fault.js';
import { flush, mockService } from '../../helpers/mock-service.js';

interface Res {
  status: number;
  synthetic?: boolean;
}

const N = 10_000;
const ctx = () => createCallContext({ service: 'orders' });

describe('fault', () => {
  it('aborts abort.percent of calls with a synthetic response, without calling the service', async () => {
    let reached = 0;
    const svc: Service<string, Res> = () => {
      reached++;
      return Promise.resolve({ status: 200 });
    };
    const call = fault<string, Res>(
      { delay: undefined, abort: { percent: 30, status: 503 } },
      { clock: new FakeClock(), random: seededRandom(42), abort: (status) => ({ status, synthetic: true }) },
    )(svc);
    const results = await Promise.all(Array.from({ length: N }, () => call('req', ctx())));
    const aborted = results.filter((r) => r.synthetic);
    expect(aborted.every((r) => r.status === 503)).toBe(true);
    expect(Math.abs(aborted.length / N - 0.3)).toBeLessThanOrEqual(0.015);
    expect(reached).toBe(N - aborted.length);
  });

  it('delays delay.percent of calls by the duration on the clock', async () => {
    const clock = new FakeClock();
    let reached = 0;
    const svc: Service<string, Res> = () => {
      reached++;
      return Promise.resolve({ status: 200 });
    };
    const call = fault<string, Res>({ delay: { percent: 20, duration: 500 }, abort: undefined }, { clock, random: seededRandom(7), abort: (status) => ({ status }) })(svc);
    const results = Array.from({ length: N }, () => call('req', ctx()));
    const delayed = clock.pendingTimers;
    expect(Math.abs(delayed / N - 0.2)).toBeLessThanOrEqual(0.015);
    expect(reached).toBe(N - delayed);
    clock.advance(499);
    await flush();
    expect(reached).toBe(N - delayed);
    clock.advance(1);
    await flush();
    expect(reached).toBe(N);
    expect((await Promise.all(results)).length).toBe(N);
  });

  it('stops a delayed call when its cancellation fires', async () => {
    const clock = new FakeClock();
    const [svc, handle] = mockService<string, Res>();
    const call = fault<string, Res>({ delay: { percent: 100, duration: 500 }, abort: undefined }, { clock, random: seededRandom(1), abort: (status) => ({ status }) })(svc);
    const c = ctx();
    const p = call('req', c);
    clock.advance(100);
    c.cancellation.cancel('deadline');
    expect(await p.catch((e: unknown) => e)).toBe('deadline');
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1000);
    await flush();
    expect(handle.calls.length).toBe(0);
  });

  it('delays, then aborts, a call chosen for both', async () => {
    const clock = new FakeClock();
    const [svc, handle] = mockService<string, Res>();
    const call = fault<string, Res>(
      { delay: { percent: 100, duration: 50 }, abort: { percent: 100, status: 500 } },
      { clock, random: seededRandom(1), abort: (status) => ({ status, synthetic: true }) },
    )(svc);
    const p = call('req', ctx());
    clock.advance(50);
    expect(await p).toEqual({ status: 500, synthetic: true });
    expect(handle.calls.length).toBe(0);
  });

  it('is the service itself when nothing is injected, and checks its options', () => {
    const [svc] = mockService<string, Res>();
    const deps = { clock: new FakeClock(), random: Math.random, abort: (status: number) => ({ status }) };
    expect(fault<string, Res>({ delay: undefined, abort: { percent: 0, status: 503 } }, deps)(svc)).toBe(svc);
    expect(() => fault({ delay: { percent: 101, duration: 1 }, abort: undefined }, deps)).toThrow(RangeError);
    expect(() => fault({ delay: undefined, abort: { percent: 10, status: 5.5 } }, deps)).toThrow(RangeError);
  });
});
