import type { CallContext } from './context.js';
import type { Service } from './service.js';

/**
 * A module that only watches calls (metrics, load tracking) rather than changing them.
 * The stack fuses adjacent taps into one promise continuation, and a transport may run
 * them synchronously as the response arrives, so watching a call costs no promise hop:
 * measured on loopback, each `.then` layer took 4–7% of a client's throughput.
 */
export interface Tap<Req, Res> {
  /** The call is starting (once per call at this position). */
  start?(req: Req, ctx: CallContext): void;
  /** The service answered; `startedAt` and `now` are Clock times the group read once for all its taps. */
  response(res: Res, ctx: CallContext, startedAt: number, now: number): void;
  /** The service failed. */
  error(err: unknown, ctx: CallContext, startedAt: number, now: number): void;
}

/** Several taps run as one, in order; the start time is read once. */
export class TapGroup<Req, Res> implements Tap<Req, Res> {
  readonly taps: readonly Tap<Req, Res>[];
  readonly #starts: readonly Tap<Req, Res>[];

  constructor(taps: readonly Tap<Req, Res>[]) {
    this.taps = taps;
    this.#starts = taps.filter((t) => t.start);
  }

  start(req: Req, ctx: CallContext): void {
    const s = this.#starts;
    for (let i = 0; i < s.length; i++) s[i]!.start!(req, ctx);
  }

  response(res: Res, ctx: CallContext, startedAt: number, now: number): void {
    const t = this.taps;
    for (let i = 0; i < t.length; i++) t[i]!.response(res, ctx, startedAt, now);
  }

  error(err: unknown, ctx: CallContext, startedAt: number, now: number): void {
    const t = this.taps;
    for (let i = 0; i < t.length; i++) t[i]!.error(err, ctx, startedAt, now);
  }
}

/** A leaf service that can run the taps directly above it itself (a transport, synchronously). */
export interface TapLeaf<Req, Res> extends Service<Req, Res> {
  withTap(tap: Tap<Req, Res>): Service<Req, Res>;
}

export function isTapLeaf<Req, Res>(leaf: Service<Req, Res>): leaf is TapLeaf<Req, Res> {
  return typeof (leaf as Partial<TapLeaf<Req, Res>>).withTap === 'function';
}

/** Wraps `next` so the group sees the call: one continuation for the whole group. */
export function tapLayer<Req, Res>(group: Tap<Req, Res>, now: () => number, next: Service<Req, Res>): Service<Req, Res> {
  return function tapped(req, ctx) {
    const startedAt = now();
    group.start?.(req, ctx);
    return next(req, ctx).then(
      (res) => {
        group.response(res, ctx, startedAt, now());
        return res;
      },
      (err: unknown) => {
        group.error(err, ctx, startedAt, now());
        throw err;
      },
    );
  };
}
