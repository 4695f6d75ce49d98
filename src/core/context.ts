/**
 * Cancellation shared by a call and every copy of its context (one per retry attempt).
 * Listeners are plain callbacks: an AbortSignal is made only when someone reads `ctx.signal`,
 * because a controller and a listener per call cost microseconds on the hot path.
 */
export class Cancellation {
  #reason: unknown = undefined;
  #unlinkParent: (() => void) | undefined;
  #cancelled = false;
  #listeners: Array<(reason: unknown) => void> | undefined;
  #controller: AbortController | undefined;
  /** The attempt in flight: one slot, no closure, since a call has one attempt at a time (hedges aside). */
  #attempt: CancellableAttempt | undefined;

  /**
   * With a parent, this cancellation also fires when the parent does (one attempt of a call:
   * a per-try timeout or a losing hedge cancels the attempt, the caller cancels them all).
   */
  constructor(parent?: Cancellation) {
    if (parent) this.#unlinkParent = parent.onCancel((reason) => this.cancel(reason));
  }

  /** Stops following the parent; call when the attempt is over so parents do not collect children. */
  release(): void {
    this.#unlinkParent?.();
    this.#unlinkParent = undefined;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  get reason(): unknown {
    return this.#reason;
  }

  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    this.release();
    this.#controller?.abort(reason);
    const attempt = this.#attempt;
    this.#attempt = undefined;
    attempt?.cancelAttempt(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const fn of listeners) fn(reason);
  }

  /**
   * Tells `attempt` of cancellation (at once if already cancelled) until `detach`. The hot-path
   * form of `onCancel`; a second attach replaces the first, whose owner has detached by then.
   */
  attach(attempt: CancellableAttempt): void {
    if (this.#cancelled) attempt.cancelAttempt(this.#reason);
    else this.#attempt = attempt;
  }

  detach(attempt: CancellableAttempt): void {
    if (this.#attempt === attempt) this.#attempt = undefined;
  }

  /** Calls `fn` on cancellation (at once if already cancelled); returns a function that removes it. */
  onCancel(fn: (reason: unknown) => void): () => void {
    if (this.#cancelled) {
      fn(this.#reason);
      return noop;
    }
    (this.#listeners ??= []).push(fn);
    return () => {
      const l = this.#listeners;
      if (!l) return;
      const i = l.indexOf(fn);
      if (i >= 0) l.splice(i, 1);
    };
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }
}

function noop(): void {}

/** Something in flight that a cancellation must stop, such as one HTTP attempt. */
export interface CancellableAttempt {
  cancelAttempt(reason: unknown): void;
}

export interface CallContextFields {
  /** Absolute time on the mesh Clock by which the call must finish; Infinity for none. */
  readonly deadline: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  readonly service: string;
  readonly route: string | undefined;
  /** The OpenTelemetry Context of the call (typed as unknown so the core needs no tracing package). */
  readonly otel: unknown;
  /** An endpoint address the balancer should avoid where another exists (the one a retry follows). */
  readonly avoid: string | undefined;
  /** Why this attempt was sent again: a retry's reason (`503`, `reset`, …), `hedge`, `requeue-…`; undefined for the first. */
  readonly resend: string | undefined;
}

/** What every layer knows of a call besides the request itself. Immutable: `with()` returns a copy. */
export interface CallContext extends CallContextFields {
  readonly cancellation: Cancellation;
  /** Aborts at cancellation; made on first read. */
  readonly signal: AbortSignal;
  /** A copy with some fields changed; a new `cancellation` (usually a child) scopes one attempt. */
  with(patch: Partial<CallContextFields> & { cancellation?: Cancellation }): CallContext;
}

class MeshCallContext implements CallContext {
  readonly deadline: number;
  readonly attempt: number;
  readonly service: string;
  readonly route: string | undefined;
  readonly otel: unknown;
  readonly avoid: string | undefined;
  readonly resend: string | undefined;
  readonly cancellation: Cancellation;

  // Positional, so that `with()` (once per attempt) allocates only the new context.
  constructor(
    deadline: number,
    attempt: number,
    service: string,
    route: string | undefined,
    otel: unknown,
    avoid: string | undefined,
    resend: string | undefined,
    cancellation: Cancellation,
  ) {
    this.deadline = deadline;
    this.attempt = attempt;
    this.service = service;
    this.route = route;
    this.otel = otel;
    this.avoid = avoid;
    this.resend = resend;
    this.cancellation = cancellation;
  }

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  with(patch: Partial<CallContextFields> & { cancellation?: Cancellation }): CallContext {
    return new MeshCallContext(
      patch.deadline ?? this.deadline,
      patch.attempt ?? this.attempt,
      patch.service ?? this.service,
      'route' in patch ? patch.route : this.route,
      'otel' in patch ? patch.otel : this.otel,
      'avoid' in patch ? patch.avoid : this.avoid,
      'resend' in patch ? patch.resend : this.resend,
      patch.cancellation ?? this.cancellation,
    );
  }
}

/**
 * A fresh context for one logical call.
 *
 * @example
 * const ctx = createCallContext({ service: 'orders' });
 */
export function createCallContext(f: Partial<CallContextFields> & { service: string }, cancellation = new Cancellation()): CallContext {
  return new MeshCallContext(f.deadline ?? Infinity, f.attempt ?? 1, f.service, f.route, f.otel, f.avoid, f.resend, cancellation);
}
