import { Cancellation, MeshError, type CallContext, type Clock, type Layer, type Service } from '../core/index.js';
import type { HedgeConfig } from '../config/types.js';
import type { DeadlineWheel, WheelHandle } from './deadline-wheel.js';
import type { RetryPolicy } from './retry.js';

export interface HedgeDeps<Req, Res> {
  readonly clock: Clock;
  readonly policy: Pick<RetryPolicy<Req, Res>, 'prepare' | 'discard' | 'endpointOf'>;
  /** The shared timer mechanism: no clock timer per call. */
  readonly wheel: DeadlineWheel;
  /** See `PerTryTimeoutDeps.responseDone`: when the winner's body is consumed, its attempt stops following the call. */
  readonly responseDone?: (res: Res, done: () => void) => void;
  /** A hedged attempt is starting (metrics). */
  readonly onHedge?: () => void;
}

/**
 * Hedged requests for idempotent calls (gRPC's hedging policy, "The Tail at Scale"): attempt 1
 * starts at once; while no attempt has answered, another starts every `cfg.delay` ms, up to
 * `cfg.maxAttempts` in all, each on its own child cancellation and avoiding the endpoint of the
 * last attempt that failed. An attempt that fails starts the next one at once. The first
 * response wins, whatever its status: the others are cancelled, and a response that still
 * arrives late is discarded. If every attempt fails, the call rejects with the last error.
 * No timer outlives the call.
 *
 * @example
 * const layer = hedge({ delay: 50, maxAttempts: 2 }, { clock, policy: httpRetryPolicy });
 */
export function hedge<Req, Res>(cfg: HedgeConfig, deps: HedgeDeps<Req, Res>): Layer<Req, Res> {
  if (!(cfg.delay >= 0) || !Number.isFinite(cfg.delay)) throw new RangeError(`hedge: delay must be a non-negative number of ms, got ${cfg.delay}`);
  if (!Number.isInteger(cfg.maxAttempts) || cfg.maxAttempts < 1) throw new RangeError(`hedge: maxAttempts must be an integer of at least 1, got ${cfg.maxAttempts}`);
  if (cfg.maxAttempts === 1) return (next) => next;
  return (next) =>
    function hedge(req: Req, ctx: CallContext): Promise<Res> {
      return new HedgedCall(next, req, ctx, cfg, deps).promise;
    };
}

/** One logical call while its attempts race. */
class HedgedCall<Req, Res> {
  readonly promise: Promise<Res>;
  readonly #next: Service<Req, Res>;
  readonly #req: Req;
  readonly #ctx: CallContext;
  readonly #cfg: HedgeConfig;
  readonly #deps: HedgeDeps<Req, Res>;
  /** The child cancellation of each attempt still in flight (undefined once it settled). */
  readonly #inFlight: Array<Cancellation | undefined> = [];
  #launched = 0;
  #pending = 0;
  #done = false;
  /** No more attempts: all launched, or the request cannot be sent again. */
  #exhausted = false;
  #lastError: unknown = undefined;
  #avoid: string | undefined;
  #wheelEntry: WheelHandle | undefined = undefined;
  #resolve!: (res: Res) => void;
  #reject!: (err: unknown) => void;

  constructor(next: Service<Req, Res>, req: Req, ctx: CallContext, cfg: HedgeConfig, deps: HedgeDeps<Req, Res>) {
    this.#next = next;
    this.#req = req;
    this.#ctx = ctx;
    this.#cfg = cfg;
    this.#deps = deps;
    this.#avoid = ctx.avoid;
    this.promise = new Promise<Res>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#launch(req);
    if (!this.#done) this.#arm();
  }

  #launch(sent: Req): void {
    const k = ++this.#launched;
    if (k >= this.#cfg.maxAttempts) this.#exhausted = true;
    const ctx = this.#ctx;
    const child = new Cancellation(ctx.cancellation);
    this.#inFlight.push(child);
    this.#pending++;
    if (k > 1) this.#deps.onHedge?.();
    const attemptCtx = ctx.with({ cancellation: child, attempt: ctx.attempt + k - 1, avoid: this.#avoid, ...(k > 1 && { resend: 'hedge' }) });
    let p: Promise<Res>;
    try {
      p = this.#next(sent, attemptCtx);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (res) => this.#onResponse(k, child, res),
      (err: unknown) => this.#onError(k, child, err),
    );
  }

  #onResponse(k: number, child: Cancellation, res: Res): void {
    this.#pending--;
    this.#inFlight[k - 1] = undefined;
    const { policy, responseDone } = this.#deps;
    if (this.#done) {
      child.release();
      policy.discard(res);
      return;
    }
    this.#done = true;
    this.#disarm();
    if (this.#pending > 0) {
      const lost = new MeshError('MESH_ERR_CANCELLED', 'another hedged attempt answered first', { service: this.#ctx.service, attempt: k });
      for (const c of this.#inFlight) c?.cancel(lost);
    }
    if (responseDone) responseDone(res, () => child.release());
    this.#resolve(res);
  }

  #onError(k: number, child: Cancellation, err: unknown): void {
    this.#pending--;
    this.#inFlight[k - 1] = undefined;
    child.release();
    if (this.#done) return;
    this.#lastError = err;
    this.#avoid = this.#deps.policy.endpointOf({ err }) ?? this.#avoid;
    if (this.#ctx.cancellation.cancelled) return this.#fail(err);
    // A failed attempt frees its place at once rather than at the next tick of the delay.
    if (!this.#exhausted && this.#startNext()) {
      this.#disarm();
      this.#arm();
      return;
    }
    if (this.#pending === 0) this.#fail(this.#lastError);
  }

  /** Starts the next attempt if the request can be sent again; false if not. */
  #startNext(): boolean {
    const sent = this.#deps.policy.prepare(this.#req, this.#launched + 1);
    if (sent === undefined) {
      this.#exhausted = true;
      return false;
    }
    this.#launch(sent);
    return true;
  }

  #fail(err: unknown): void {
    this.#done = true;
    this.#disarm();
    this.#reject(err);
  }

  readonly #onTimer = (): void => {
    this.#wheelEntry = undefined;
    if (this.#done || this.#exhausted) return;
    if (this.#startNext() && !this.#done) this.#arm();
  };

  #arm(): void {
    if (this.#exhausted) return;
    const { clock, wheel } = this.#deps;
    this.#wheelEntry = wheel.schedule(clock.now() + this.#cfg.delay, this.#onTimer);
  }

  #disarm(): void {
    if (this.#wheelEntry !== undefined) this.#deps.wheel.cancel(this.#wheelEntry);
    this.#wheelEntry = undefined;
  }
}
