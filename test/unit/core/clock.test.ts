import { describe, expect, it } from 'vitest';
import { FakeClock, MAX_TIMER_MS, systemClock, timerClock, type Clock, type TimerHost } from '../../../src/core/index.js';
import { DeadlineWheel } from '../../../src/resilience/deadline-wheel.js';
import { sleep } from '../../../src/resilience/sleep.js';
import { Cancellation } from '../../../src/core/index.js';

/** A TimerHost whose timers fire only when the test says, recording each delay asked for. */
function recordingHost() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { fn: () => void; at: number; ms: number }>();
  const host: TimerHost = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { fn, at: now + ms, ms });
      return { id, unref: () => undefined };
    },
    clearTimeout(h) {
      timers.delete((h as { id: number }).id);
    },
  };
  /** Moves time to the next timer and fires it. */
  const fireNext = () => {
    const [id, t] = [...timers].sort((a, b) => a[1].at - b[1].at)[0]!;
    timers.delete(id);
    now = t.at;
    t.fn();
  };
  return { host, timers, fireNext, now: () => now };
}

describe('the system clock takes any delay', () => {
  it('chains a delay above 2^31-1 ms so that it really waits that long', () => {
    const { host, timers, fireNext, now } = recordingHost();
    const clock = timerClock(host);
    let fired = false;
    const long = 720 * 3600 * 1000; // 720h
    clock.setTimeout(() => (fired = true), long);
    const delays: number[] = [];
    while (!fired) {
      delays.push([...timers.values()][0]!.ms);
      fireNext();
    }
    expect(now()).toBe(long);
    expect(Math.max(...delays)).toBe(MAX_TIMER_MS);
    expect(delays.length).toBe(Math.ceil(long / MAX_TIMER_MS));
  });

  it('never arms a timer for Infinity or NaN, fires a negative delay at once, and clears a chained timer', () => {
    const { host, timers } = recordingHost();
    const clock = timerClock(host);
    const inf = clock.setTimeout(() => undefined, Infinity);
    clock.setTimeout(() => undefined, NaN);
    expect(timers.size).toBe(0);
    clock.clearTimeout(inf); // harmless
    clock.setTimeout(() => undefined, -5);
    expect([...timers.values()].map((t) => t.ms)).toEqual([0]);
    const chained = clock.setTimeout(() => undefined, 2 ** 40);
    expect(timers.size).toBe(2);
    clock.clearTimeout(chained);
    expect(timers.size).toBe(1);
  });

  it('with real timers, a delay of 2^31 ms, 1e308 or Infinity does not fire after 1 ms', async () => {
    let fired = 0;
    const handles = [2 ** 31, 1e308, Infinity, NaN].map((ms) => systemClock.setTimeout(() => fired++, ms));
    await new Promise((r) => setTimeout(r, 40));
    handles.forEach((h) => systemClock.clearTimeout(h));
    expect(fired).toBe(0);
  });
});

describe('the timers above the clock take any value', () => {
  it('a NaN or Infinity deadline on the wheel never fires and does not starve the entries after it', () => {
    const clock = new FakeClock(0);
    const wheel = new DeadlineWheel(clock, { resolution: 1 });
    const fired: string[] = [];
    wheel.schedule(10, () => fired.push('ten'));
    wheel.schedule(NaN, () => fired.push('nan'));
    wheel.schedule(20, () => fired.push('twenty'));
    wheel.schedule(Infinity, () => fired.push('inf'));
    clock.advance(100);
    expect(fired).toEqual(['ten', 'twenty']);
    expect(wheel.size).toBe(2);
    wheel.close();
  });

  it('a wheel entry 720h away arms one timer on the system clock, not one every millisecond', async () => {
    let armed = 0;
    const counting: Clock = { now: () => systemClock.now(), setTimeout: (fn, ms) => (armed++, systemClock.setTimeout(fn, ms)), clearTimeout: (h) => systemClock.clearTimeout(h) };
    const wheel = new DeadlineWheel(counting);
    let fired = false;
    wheel.schedule(systemClock.now() + 720 * 3600 * 1000, () => (fired = true));
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toBe(false);
    expect(armed).toBe(1);
    wheel.close();
  });

  it('a sleep of NaN ms does not hang; one of Infinity waits for the cancellation', async () => {
    const clock = new FakeClock(0);
    const c = new Cancellation();
    const nan = sleep(clock, NaN, c);
    clock.advance(0);
    await nan;
    const inf = sleep(clock, Infinity, c);
    clock.advance(1e12);
    c.cancel(new Error('stop'));
    await expect(inf).rejects.toThrow('stop');
  });
});
