import type { Cancellation, ProcessHold } from '../../core/index.js';
import { callerError, cancelledError } from './call-errors.js';
import type { HttpResponse, LegacyHandler } from './http-types.js';

/**
 * The caller's side of one logical call, from dispatch to the response's last byte: it hands
 * the caller exactly one outcome, keeps the process alive until the call is over, and turns
 * the caller's abort into a cancellation of everything below.
 *
 * An abort before the response reaches the caller rejects at once with `MESH_ERR_CANCELLED`
 * (the reason as `cause`), whatever the layers below are waiting on; they stop through the
 * cancellation, and a response that still arrives is discarded. An abort while the body
 * streams cancels the attempt, which ends the body and its connection.
 */
export class MeshCall {
  readonly #handler: LegacyHandler;
  readonly #cancellation: Cancellation;
  readonly #service: string;
  readonly #hold: ProcessHold;
  /** The call follows an inbound request's cancellation, and must unlink from it when over. */
  readonly #linked: boolean;
  /** The caller has its response or its error. */
  #answered = false;
  #started = false;
  #over = false;

  constructor(handler: LegacyHandler, cancellation: Cancellation, service: string, hold: ProcessHold, linked: boolean) {
    this.#handler = handler;
    this.#cancellation = cancellation;
    this.#service = service;
    this.#hold = hold;
    this.#linked = linked;
  }

  /** True once the caller has an outcome (an abort during `onConnect` gives it one). */
  get answered(): boolean {
    return this.#answered;
  }

  /** The abort function undici handlers expect in `onConnect`. */
  readonly abort = (reason?: Error): void => {
    const err = cancelledError(reason, this.#service);
    this.#cancellation.cancel(err);
    if (this.#answered) return;
    this.#answered = true;
    // undici calls abort from inside onConnect or a signal listener: answer outside that frame.
    queueMicrotask(() => this.#handler.onError?.(err));
  };

  /** The call goes down the stack: from here until it is over, the process stays alive. */
  start(): void {
    this.#started = true;
    this.#hold.acquire();
  }

  respond(res: HttpResponse): void {
    if (this.#answered) {
      res.discard();
      this.#end();
      return;
    }
    this.#answered = true;
    res.onDone(this.#end);
    res.deliver(this.#handler);
  }

  fail(err: unknown): void {
    this.#end();
    if (this.#answered) return;
    this.#answered = true;
    // On the next turn of the event loop, never sooner: a refusal made before any I/O (no
    // endpoints, an open circuit) would otherwise settle on a microtask, and a caller that loops
    // on failed calls would starve the I/O that brings the endpoints it waits for.
    const e = callerError(err, this.#service);
    setImmediate(() => this.#handler.onError?.(e));
  }

  readonly #end = (): void => {
    if (this.#over) return;
    this.#over = true;
    if (this.#started) this.#hold.release();
    if (this.#linked) this.#cancellation.release();
  };
}
