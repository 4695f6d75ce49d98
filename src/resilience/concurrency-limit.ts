import { OverloadedError, type CallContext, type Layer, type Service } from '../core/index.js';
import type { ConcurrencyConfig } from '../config/types.js';

/** A call waiting for a slot, in an intrusive FIFO list (O(1) removal when its caller cancels). */
class Waiter<Req, Res> {
  readonly next: Service<Req, Res>;
  readonly req: Req;
  readonly ctx: CallContext;
  readonly resolve: (p: Promise<Res>) => void;
  readonly reject: (err: unknown) => void;
  off: (() => void) | undefined = undefined;
  prev: Waiter<Req, Res> | undefined = undefined;
  after: Waiter<Req, Res> | undefined = undefined;
  queued = true;

  constructor(next: Service<Req, Res>, req: Req, ctx: CallContext, resolve: (p: Promise<Res>) => void, reject: (err: unknown) => void) {
    this.next = next;
    this.req = req;
    this.ctx = ctx;
    this.resolve = resolve;
    this.reject = reject;
  }
}

/**
 * A concurrency limit shared by every call to one destination (or one inbound handler):
 * at most `maxInFlight` calls run; up to `maxPending` more wait in FIFO order (a waiter whose
 * cancellation fires leaves the queue with its reason); beyond that calls fail at once with
 * `OverloadedError` (`MESH_ERR_OVERLOADED`, rejected and retryable). A slot is released when
 * the call's promise settles.
 *
 * @example
 * const limiter = new ConcurrencyLimiter({ maxInFlight: 100, maxPending: 50 });
 * const layer = concurrencyLimit(limiter);
 */
export class ConcurrencyLimiter {
  readonly maxInFlight: number;
  readonly maxPending: number;
  #inFlight = 0;
  #pending = 0;
  #rejected = 0;
  #head: Waiter<any, any> | undefined = undefined;
  #tail: Waiter<any, any> | undefined = undefined;
  readonly #onValue = <T>(v: T): T => {
    this.#release();
    return v;
  };
  readonly #onError = (err: unknown): never => {
    this.#release();
    throw err;
  };

  constructor(cfg: ConcurrencyConfig) {
    if (!Number.isInteger(cfg.maxInFlight) || cfg.maxInFlight < 1) throw new RangeError(`concurrency: maxInFlight must be an integer of at least 1, got ${cfg.maxInFlight}`);
    if (!Number.isInteger(cfg.maxPending) || cfg.maxPending < 0) throw new RangeError(`concurrency: maxPending must be a non-negative integer, got ${cfg.maxPending}`);
    this.maxInFlight = cfg.maxInFlight;
    this.maxPending = cfg.maxPending;
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Calls waiting for a slot. */
  get pending(): number {
    return this.#pending;
  }

  /** Calls refused since the limiter was made. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Runs `next(req, ctx)` within the limit. */
  run<Req, Res>(next: Service<Req, Res>, req: Req, ctx: CallContext): Promise<Res> {
    if (this.#inFlight < this.maxInFlight && this.#pending === 0) {
      this.#inFlight++;
      return this.#start(next, req, ctx);
    }
    if (this.#pending >= this.maxPending) {
      this.#rejected++;
      return Promise.reject(
        new OverloadedError(`${ctx.service}: ${this.#inFlight} calls in flight and ${this.#pending} waiting`, { service: ctx.service, attempt: ctx.attempt }),
      );
    }
    const cancellation = ctx.cancellation;
    if (cancellation.cancelled) return Promise.reject(cancellation.reason);
    return new Promise<Res>((resolve, reject) => {
      const w = new Waiter<Req, Res>(next, req, ctx, resolve, reject);
      this.#enqueue(w);
      w.off = cancellation.onCancel((reason) => {
        if (!w.queued) return;
        this.#unlink(w);
        reject(reason);
      });
    });
  }

  #start<Req, Res>(next: Service<Req, Res>, req: Req, ctx: CallContext): Promise<Res> {
    let p: Promise<Res>;
    try {
      p = next(req, ctx);
    } catch (err) {
      this.#release();
      return Promise.reject(err);
    }
    return p.then(this.#onValue, this.#onError);
  }

  #release(): void {
    const w = this.#head;
    if (w === undefined) {
      this.#inFlight--;
      return;
    }
    // The slot passes straight to the first waiter.
    this.#unlink(w);
    w.off?.();
    w.resolve(this.#start(w.next, w.req, w.ctx));
  }

  #enqueue(w: Waiter<any, any>): void {
    w.prev = this.#tail;
    if (this.#tail) this.#tail.after = w;
    else this.#head = w;
    this.#tail = w;
    this.#pending++;
  }

  #unlink(w: Waiter<any, any>): void {
    w.queued = false;
    if (w.prev) w.prev.after = w.after;
    else this.#head = w.after;
    if (w.after) w.after.prev = w.prev;
    else this.#tail = w.prev;
    w.prev = w.after = undefined;
    this.#pending--;
  }
}

/**
 * The limiter as a layer; the limiter is shared, the layer may be built many times.
 *
 * @example
 * const layer = concurrencyLimit(new ConcurrencyLimiter({ maxInFlight: 64, maxPending: 0 }));
 */
export function concurrencyLimit<Req, Res>(limiter: ConcurrencyLimiter): Layer<Req, Res> {
  return (next) =>
    function concurrencyLimit(req: Req, ctx: CallContext): Promise<Res> {
      return limiter.run(next, req, ctx);
    };
}
