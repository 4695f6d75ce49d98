import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/index.js';
import { DeadlineWheel } from '../../../src/resilience/deadline-wheel.js';

describe('DeadlineWheel', () => {
  it('fires many entries in time order from one clock timer', () => {
    const clock = new FakeClock(1000);
    const wheel = new DeadlineWheel(clock, { resolution: 1 });
    const fired: string[] = [];
    for (const [name, at] of [['c', 1030], ['a', 1010], ['d', 1030], ['b', 1020]] as const) {
      wheel.schedule(at, (n: string) => fired.push(`${n}@${clock.now()}`), name);
    }
    expect(clock.pendingTimers).toBe(1);
    expect(wheel.size).toBe(4);
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['a@1010']);
    clock.advance(30);
    expect(fired).toEqual(['a@1010', 'b@1020', 'c@1030', 'd@1030']);
    expect(wheel.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not fire cancelled entries, and cancelling twice or after firing is harmless', () => {
    const clock = new FakeClock();
    const wheel = new DeadlineWheel(clock, { resolution: 1 });
    const fired: number[] = [];
    const h1 = wheel.schedule(10, () => fired.push(1));
    const h2 = wheel.schedule(10, () => fired.push(2));
    wheel.cancel(h1);
    wheel.cancel(h1);
    expect([h1.active, h2.active, wheel.size]).toEqual([false, true, 1]);
    clock.advance(10);
    expect(fired).toEqual([2]);
    wheel.cancel(h2);
    expect(h2.active).toBe(false);
    expect(wheel.size).toBe(0);
  });

  it('fires up to one resolution late, never early, in order within a bucket', () => {
    const clock = new FakeClock();
    const wheel = new DeadlineWheel(clock, { resolution: 5 });
    const fired: string[] = [];
    wheel.schedule(14, () => fired.push(`14@${clock.now()}`));
    wheel.schedule(12, () => fired.push(`12@${clock.now()}`));
    clock.advance(14);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['12@15', '14@15']);
  });

  it('re-arms for an earlier deadline, and past deadlines fire on the next tick', () => {
    const clock = new FakeClock();
    const wheel = new DeadlineWheel(clock, { resolution: 1 });
    const fired: string[] = [];
    wheel.schedule(100, () => fired.push('late'));
    wheel.schedule(10, () => fired.push('early'));
    expect(clock.pendingTimers).toBe(1);
    clock.advance(10);
    expect(fired).toEqual(['early']);
    wheel.schedule(5, () => fired.push('past'));
    clock.advance(0);
    expect(fired).toEqual(['early', 'past']);
    clock.advance(90);
    expect(fired).toEqual(['early', 'past', 'late']);
  });

  it('lets a callback schedule and cancel other entries', () => {
    const clock = new FakeClock();
    const wheel = new DeadlineWheel(clock, { resolution: 1 });
    const fired: string[] = [];
    const victim = wheel.schedule(10, () => fired.push('victim'));
    wheel.schedule(10, () => {}); // shares the victim's bucket
    wheel.schedule(5, () => {
      fired.push('first');
      wheel.cancel(victim);
      wheel.schedule(clock.now(), () => fired.push('now'));
      wheel.schedule(clock.now() + 20, () => fired.push('later'));
    });
    clock.advance(10);
    expect(fired).toEqual(['first', 'now']);
    clock.advance(20);
    expect(fired).toEqual(['first', 'now', 'later']);
    expect(wheel.size).toBe(0);
  });

  it('leaves no clock timer armed once every entry is cancelled and its time has passed', () => {
    const clock = new FakeClock();
    const wheel = new DeadlineWheel(clock, { resolution: 4 });
    const handles = Array.from({ length: 100 }, (_, i) => wheel.schedule(1000 + i, () => {}));
    for (const h of handles) wheel.cancel(h);
    expect(wheel.size).toBe(0);
    clock.advance(2000);
    expect(clock.pendingTimers).toBe(0);
  });

  it('close() cancels everything', () => {
    const clock = new FakeClock();
    const wheel = new DeadlineWheel(clock);
    let fired = false;
    const h = wheel.schedule(10, () => (fired = true));
    wheel.close();
    expect([h.active, wheel.size, clock.pendingTimers]).toEqual([false, 0, 0]);
    clock.advance(100);
    expect(fired).toBe(false);
  });

  it('checks its resolution', () => {
    expect(() => new DeadlineWheel(new FakeClock(), { resolution: 0 })).toThrow(RangeError);
  });
});
