import type { CallContext, CancellableAttempt, Tap } from '../../core/index.js';
import type { HttpResponse, LegacyHandler } from './http-types.js';
import { toTransportError } from './transport-errors.js';
import { rawHeaderValue } from './raw-header.js';

/** Bytes buffered before delivery before the socket is paused; delivery normally comes a microtask later. */
const MAX_BUFFERED = 1 << 20;
/** A discarded body larger than this is cut off by aborting rather than drained. */
const MAX_DRAIN = 64 * 1024;

const NO_HEADERS: Buffer[] = Object.freeze([]) as unknown as Buffer[];

const enum State {
  Waiting,
  Started,
  Complete,
  Failed,
}

/**
 * The handler given to an endpoint's Pool for one attempt. It resolves the attempt's promise
 * when the response headers arrive and holds the body until a layer decides what to do with
 * it, so that retry and metrics layers see the status before the caller does (undici's
 * RetryHandler makes the same decision inside a handler; here it is a plain Service).
 */
export class AttemptHandler implements LegacyHandler, HttpResponse, CancellableAttempt {
  statusCode = 0;
  /** Until the head arrives, one shared empty list rather than a new array per attempt. */
  rawHeaders: Buffer[] = NO_HEADERS;
  statusMessage = '';
  readonly endpoint: string;

  #state = State.Waiting;
  #resolve: (res: HttpResponse) => void;
  #reject: (err: unknown) => void;
  readonly #ctx: CallContext;
  readonly #tap: Tap<unknown, HttpResponse> | undefined;
  readonly #startedAt: number;
  readonly #now: (() => number) | undefined;
  #abort: ((err?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #target: LegacyHandler | undefined;
  #discarding = false;
  #drained = 0;
  #chunks: Buffer[] | undefined;
  #buffered = 0;
  #pausedHere = false;
  #trailers: Buffer[] | string[] | null = null;
  #error: Error | undefined;
  // Two slots before an array: a call through the mesh has two watchers (the call's metrics and the
  // caller's side), and an array per call was one more allocation on every call.
  #done: ((err: Error | null) => void) | undefined;
  #done2: ((err: Error | null) => void) | undefined;
  #moreDone: Array<(err: Error | null) => void> | undefined;

  /** `tap` (the endpoint's metrics and load tracking) runs synchronously as headers or a failure arrive. */
  constructor(
    endpoint: string,
    ctx: CallContext,
    resolve: (res: HttpResponse) => void,
    reject: (err: unknown) => void,
    tap?: Tap<unknown, HttpResponse>,
    startedAt = 0,
    now?: () => number,
  ) {
    this.endpoint = endpoint;
    this.#ctx = ctx;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#tap = tap;
    this.#startedAt = startedAt;
    this.#now = now;
  }

  // ── from the Pool ──────────────────────────────────────────────────────────

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    this.#ctx.cancellation.attach(this);
  }

  cancelAttempt(reason: unknown): void {
    this.#abort?.(reason as Error);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    this.statusCode = statusCode;
    this.rawHeaders = rawHeaders;
    this.statusMessage = statusText;
    this.#resume = resume;
    this.#state = State.Started;
    if (this.#tap) this.#tap.response(this, this.#ctx, this.#startedAt, this.#now!());
    this.#resolve(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    const target = this.#target;
    if (target) return target.onData?.(chunk) ?? true;
    if (this.#discarding) {
      this.#drained += chunk.length;
      if (this.#drained > MAX_DRAIN) this.#abort?.();
      return true;
    }
    (this.#chunks ??= []).push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < MAX_BUFFERED) return true;
    this.#pausedHere = true;
    return false;
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.#state = State.Complete;
    this.#trailers = trailers;
    this.#finish(null);
    this.#target?.onComplete?.(trailers);
  }

  onError(err: Error): void {
    const started = this.#state === State.Started;
    const wasWaiting = this.#state === State.Waiting;
    this.#state = State.Failed;
    // Before the head or in the body, the caller sees a MeshError: the cancellation's reason
    // (a deadline, the caller's abort) or the transport failure, with undici's error as cause.
    const cancellation = this.#ctx.cancellation;
    const failure = (cancellation.cancelled ? cancellation.reason : toTransportError(err, this.endpoint, this.#ctx.service)) as Error;
    this.#error = failure;
    this.#finish(failure);
    if (wasWaiting) {
      if (this.#tap) this.#tap.error(failure, this.#ctx, this.#startedAt, this.#now!());
      this.#reject(failure);
    } else if (started) this.#target?.onError?.(failure);
  }

  // ── to the layers above (HttpResponse) ─────────────────────────────────────

  header(name: string): string | undefined {
    return rawHeaderValue(this.rawHeaders, name);
  }

  deliver(target: LegacyHandler): void {
    this.#target = target;
    target.onResponseStarted?.();
    const resume = this.#resume ?? noop;
    let flowing = target.onHeaders?.(this.statusCode, this.rawHeaders, resume, this.statusMessage) !== false;
    const chunks = this.#chunks;
    if (chunks) {
      this.#chunks = undefined;
      // Chunks already read cannot be un-read; the caller's own buffering takes them.
      for (const c of chunks) flowing = target.onData?.(c) !== false && flowing;
    }
    if (this.#state === State.Complete) target.onComplete?.(this.#trailers);
    else if (this.#state === State.Failed) target.onError?.(this.#error!);
    else if (this.#pausedHere && flowing) {
      this.#pausedHere = false;
      resume();
    }
  }

  discard(): void {
    this.#discarding = true;
    this.#drained = this.#buffered;
    this.#chunks = undefined;
    if (this.#state !== State.Started) return;
    if (this.#drained > MAX_DRAIN) this.#abort?.();
    else if (this.#pausedHere) {
      this.#pausedHere = false;
      this.#resume?.();
    }
  }

  onDone(fn: (err: Error | null) => void): void {
    if (this.#state === State.Complete) fn(null);
    else if (this.#state === State.Failed) fn(this.#error!);
    else if (!this.#done) this.#done = fn;
    else if (!this.#done2) this.#done2 = fn;
    else (this.#moreDone ??= []).push(fn);
  }

  #finish(err: Error | null): void {
    this.#ctx.cancellation.detach(this);
    const first = this.#done;
    if (!first) return;
    this.#done = undefined;
    const second = this.#done2;
    this.#done2 = undefined;
    first(err);
    second?.(err);
    const more = this.#moreDone;
    this.#moreDone = undefined;
    if (more) for (const fn of more) fn(err);
  }
}

function noop(): void {}
