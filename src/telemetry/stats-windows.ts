import type { Clock } from '../core/index.js';
import { SlidingWindow } from './sliding-window.js';

type WindowsByRoute = Map<string, SlidingWindow>;

/**
 * Every sliding window of a workload, for `mesh.stats()`: outbound per (destination, route),
 * inbound per (served service, route). Stacks look their window up once, when they are built,
 * and write to it per request; a window outlives the stacks of a reload, so the figures carry
 * over. All windows share one length, which follows `telemetry.stats.window`.
 *
 * @example
 * const windows = new StatsWindows(clock, 60_000);
 * const w = windows.outbound('orders', 'default');
 */
export class StatsWindows {
  readonly #clock: Clock;
  #windowMs: number;
  readonly #outbound = new Map<string, WindowsByRoute>();
  readonly #inbound = new Map<string, WindowsByRoute>();

  constructor(clock: Clock, windowMs: number) {
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** A new length for every window (a config reload); the same length changes nothing. */
  setWindow(windowMs: number): void {
    if (windowMs === this.#windowMs) return;
    this.#windowMs = windowMs;
    for (const byRoute of [...this.#outbound.values(), ...this.#inbound.values()]) for (const w of byRoute.values()) w.resize(windowMs);
  }

  /** The window of calls to `destination` on `route` (made on first use). */
  outbound(destination: string, route: string): SlidingWindow {
    return this.#window(this.#outbound, destination, route);
  }

  /** The window of requests to this workload's `service` on `route` (made on first use). */
  inbound(service: string, route: string): SlidingWindow {
    return this.#window(this.#inbound, service, route);
  }

  /** The route windows of one destination; empty when it has none. */
  outboundRoutes(destination: string): ReadonlyMap<string, SlidingWindow> {
    return this.#outbound.get(destination) ?? EMPTY;
  }

  /** Per served service, its route windows. */
  inboundServices(): ReadonlyMap<string, ReadonlyMap<string, SlidingWindow>> {
    return this.#inbound;
  }

  /** Forgets a destination the config no longer has, so windows do not pile up as services come and go. */
  forgetOutbound(destination: string): void {
    this.#outbound.delete(destination);
  }

  #window(all: Map<string, WindowsByRoute>, service: string, route: string): SlidingWindow {
    let byRoute = all.get(service);
    if (byRoute === undefined) all.set(service, (byRoute = new Map()));
    let w = byRoute.get(route);
    if (w === undefined) byRoute.set(route, (w = new SlidingWindow(this.#clock, this.#windowMs)));
    return w;
  }
}

const EMPTY: ReadonlyMap<string, SlidingWindow> = new Map();
