import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { SlidingWindow, WindowTotals, WINDOW_SLICES } from '../../../src/telemetry/sliding-window.js';
import { StatsWindows } from '../../../src/telemetry/stats-windows.js';

const WINDOW = 60_000;
const SLICE = WINDOW / WINDOW_SLICES;

describe('SlidingWindow', () => {
  it('counts requests, failures and the success rate of what it holds', () => {
    const clock = new FakeClock(1_000_000);
    const w = new SlidingWindow(clock, WINDOW);
    for (let i = 0; i < 9; i++) w.record(0.01, false);
    w.record(0.01, true);
    const f = w.figures();
    expect(f).toMatchObject({ requests: 10, failures: 1 });
    expect(f.successRate).toBeCloseTo(0.9, 10);
  });

  it('has no rate, success rate or latency to show before any request', () => {
    const w = new SlidingWindow(new FakeClock(), WINDOW);
    const f = w.figures();
    expect(f.requests).toBe(0);
    expect(f.rps).toBe(0);
    expect(f.successRate).toBeNaN();
    expect(f.p50).toBeNaN();
  });

  it('estimates p50, p95 and p99 within a bucket of the truth, across slices', () => {
    const clock = new FakeClock();
    const w = new SlidingWindow(clock, WINDOW);
    // 1..1000 ms, spread over the whole window so every slice holds some.
    for (let i = 1; i <= 1000; i++) {
      w.record(i / 1000, false);
      if (i % 100 === 0) clock.advance(SLICE);
    }
    const f = w.figures();
    expect(f.requests).toBe(1000);
    for (const [got, want] of [[f.p50, 0.5], [f.p95, 0.95], [f.p99, 0.99]] as const) expect(Math.abs(got - want) / want).toBeLessThan(0.1);
  });

  it('rotates lazily: a slice leaves the window once WINDOW_SLICES newer slices have begun', () => {
    const clock = new FakeClock();
    const w = new SlidingWindow(clock, WINDOW);
    w.record(0.001, true); // slice 0
    clock.advance(SLICE);
    w.record(0.001, false); // slice 1
    clock.advance(SLICE * (WINDOW_SLICES - 2)); // now in slice 11: slices 0..11 are the window
    expect(w.figures()).toMatchObject({ requests: 2, failures: 1 });
    clock.advance(SLICE); // slice 12: slice 0 has left
    expect(w.figures()).toMatchObject({ requests: 1, failures: 0 });
    clock.advance(SLICE); // slice 13: slice 1 has left too
    expect(w.figures().requests).toBe(0);
  });

  it('reuses a slot for a new slice without keeping the old slice in it', () => {
    const clock = new FakeClock();
    const w = new SlidingWindow(clock, WINDOW);
    for (let i = 0; i < 5; i++) w.record(0.001, true);
    clock.advance(WINDOW); // the same slot, WINDOW_SLICES slices later
    w.record(0.001, false);
    expect(w.figures()).toMatchObject({ requests: 1, failures: 0 });
  });

  it('expires everything after an idle gap longer than the window, whatever its length', () => {
    for (const gap of [WINDOW + 1, 2 * WINDOW, 7 * WINDOW + SLICE / 2, 1000 * WINDOW]) {
      const clock = new FakeClock();
      const w = new SlidingWindow(clock, WINDOW);
      w.record(0.002, false);
      clock.advance(gap);
      expect(w.figures().requests, `gap ${gap}`).toBe(0);
      w.record(0.002, false);
      expect(w.figures().requests, `gap ${gap}`).toBe(1);
    }
  });

  it('keeps what came before an idle gap shorter than the window', () => {
    const clock = new FakeClock();
    const w = new SlidingWindow(clock, WINDOW);
    for (let i = 0; i < 4; i++) w.record(0.002, false);
    clock.advance(WINDOW / 2); // idle for 30 s
    for (let i = 0; i < 6; i++) w.record(0.002, false);
    clock.advance(WINDOW / 4);
    expect(w.figures().requests).toBe(10);
  });

  it('divides a young window by its age, and an old one by the span it covers', () => {
    const clock = new FakeClock(500_000);
    const w = new SlidingWindow(clock, WINDOW);
    clock.advance(10_000);
    for (let i = 0; i < 50; i++) w.record(0.001, false);
    // 50 requests in a window 10 s old: 5/s, not 50/60.
    expect(w.figures().rps).toBeCloseTo(5, 10);
    clock.advance(SLICE * WINDOW_SLICES * 2);
    for (let i = 0; i < 110; i++) w.record(0.001, false);
    // Old now: the window spans the WINDOW_SLICES − 1 full slices and the current one's elapsed part.
    const elapsedInSlice = clock.now() % SLICE;
    const span = (WINDOW_SLICES - 1) * SLICE + elapsedInSlice;
    expect(w.figures().rps).toBeCloseTo(110 / (span / 1000), 10);
  });

  it('does not turn the first calls of a brand-new window into thousands per second', () => {
    const clock = new FakeClock();
    const w = new SlidingWindow(clock, WINDOW);
    clock.advance(2);
    w.record(0.001, false);
    expect(w.figures().rps).toBe(1);
  });

  it('starts afresh when the length changes, and keeps its figures when it does not', () => {
    const clock = new FakeClock();
    const w = new SlidingWindow(clock, WINDOW);
    w.record(0.001, false);
    w.resize(WINDOW);
    expect(w.figures().requests).toBe(1);
    w.resize(10_000);
    expect(w.windowMs).toBe(10_000);
    expect(w.figures().requests).toBe(0);
    w.record(0.001, false);
    clock.advance(10_001);
    expect(w.figures().requests).toBe(0);
  });

  it('adds several windows into one total (a destination over its routes)', () => {
    const clock = new FakeClock();
    const a = new SlidingWindow(clock, WINDOW);
    const b = new SlidingWindow(clock, WINDOW);
    a.record(0.001, false);
    b.record(0.5, true);
    b.record(0.5, false);
    clock.advance(4000);
    const total = b.addTo(a.addTo(new WindowTotals())).figures();
    expect(total).toMatchObject({ requests: 3, failures: 1 });
    expect(total.rps).toBeCloseTo(3 / 4, 10);
  });
});

describe('StatsWindows', () => {
  it('gives the same window for the same series, and resizes every window together', () => {
    const clock = new FakeClock();
    const windows = new StatsWindows(clock, WINDOW);
    const w = windows.outbound('orders', 'default');
    expect(windows.outbound('orders', 'default')).toBe(w);
    expect(windows.outbound('orders', 'list')).not.toBe(w);
    const served = windows.inbound('checkout', '/api');
    windows.setWindow(30_000);
    expect(w.windowMs).toBe(30_000);
    expect(served.windowMs).toBe(30_000);
    expect([...windows.outboundRoutes('orders').keys()]).toEqual(['default', 'list']);
    expect(windows.outboundRoutes('nobody').size).toBe(0);
  });
});
