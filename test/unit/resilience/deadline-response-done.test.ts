import { describe, expect, it } from 'vitest';
import { FakeClock, createCallContext, type CallContext } from '../../../src/core/index.js';
import { DeadlineWheel } from '../../../src/resilience/deadline-wheel.js';
import { deadline, isDeadlineExceeded } from '../../../src/resilience/deadline.js';

/** A response whose body ends when the test says. */
class StreamedResponse {
  #done: (() => void) | undefined;
  onDone(fn: () => void): void {
    this.#done = fn;
  }
  end(): void {
    this.#done?.();
  }
}

function setup() {
  const clock = new FakeClock(1000);
  const wheel = new DeadlineWheel(clock, { resolution: 1 });
  let seen: CallContext | undefined;
  const call = deadline<string, StreamedResponse>(
    { timeout: 100 },
    { clock, wheel, responseDone: (res, done) => res.onDone(done) },
  )(async (_req, ctx) => {
    seen = ctx;
    return new StreamedResponse();
  });
  return { clock, wheel, call, ctx: () => seen! };
}

describe('deadline with responseDone', () => {
  it('stays armed after the response until its body is done, and cancels the call if the body outlives it', async () => {
    const { clock, wheel, call, ctx } = setup();
    await call('req', createCallContext({ service: 'orders' }));
    expect(wheel.size).toBe(1);
    clock.advance(100);
    expect(ctx().cancellation.cancelled).toBe(true);
    expect(isDeadlineExceeded(ctx().cancellation.reason)).toBe(true);
  });

  it('disarms once the body is done', async () => {
    const { clock, wheel, call, ctx } = setup();
    const res = await call('req', createCallContext({ service: 'orders' }));
    clock.advance(50);
    res.end();
    expect(wheel.size).toBe(0);
    clock.advance(100);
    expect(ctx().cancellation.cancelled).toBe(false);
  });
});
