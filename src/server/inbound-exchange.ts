import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Cancellation, type Clock, type InboundScope } from '../core/index.js';
import type { WheelHandle } from '../resilience/index.js';
import type { InboundMesh } from './inbound-mesh.js';

export type InboundRequest = IncomingMessage | Http2ServerRequest;
export type InboundResponse = ServerResponse | Http2ServerResponse;

/**
 * How an adapter hands an admitted request to the application, without a closure per request:
 * the stack keeps `(target, a, b)` and calls `target.run(a, b)` inside the inbound scope.
 */
export interface InboundTarget<A, B> {
  /** Runs the application (node:http: `app(req, res)`; Express middleware: `next()`; Fastify hook: `done()`). */
  run(a: A, b: B): void;
  /** Sends a refusal through the framework; by default the stack writes the raw response. */
  reject?(a: A, b: B, status: number, headers: OutgoingHttpHeaders, body: string): void;
  /** Sets a response header the framework's way (default: `res.setHeader`). */
  header?(a: A, b: B, name: string, value: string): void;
  /** The route template for metrics, read when the response ends (Express knows it only then). */
  routeOf?(ex: InboundExchange): string;
}

/** What an exchange reports back to the stack that owns it. */
export interface ExchangeOwner {
  finish(ex: InboundExchange): void;
  expire(ex: InboundExchange): void;
  terminate(ex: InboundExchange, reason: unknown, status: number): void;
}

/** Verifying: waiting for an end-user token's keys (the JWKS), before deadline and admission. */
export const State = { New: 0, Queued: 1, Running: 2, Refused: 3, Done: 4, Verifying: 5 } as const;
export type State = (typeof State)[keyof typeof State];

/**
 * One inbound request in the stack: it is at once `req.mesh` for the handler and the
 * InboundScope outbound calls inherit from, so a request costs one object. The
 * Cancellation is made only when someone reads it (an outbound call, `signal`).
 */
export class InboundExchange implements InboundMesh, InboundScope {
  readonly service: string;
  readonly owner: ExchangeOwner;
  readonly clock: Clock;
  readonly req: InboundRequest;
  readonly res: InboundResponse;
  readonly target: InboundTarget<unknown, unknown>;
  readonly a: unknown;
  readonly b: unknown;
  /** Clock time the request reached the stack. */
  readonly startedAt: number;
  peer: string | undefined = undefined;
  claims: Readonly<Record<string, unknown>> | undefined = undefined;
  deadline = Infinity;
  otel: unknown = undefined;
  /** The server span while it is open (tracing on). */
  span: unknown = undefined;
  /** The MeshError code the stack refused the request with (the access log's `error`). */
  refusal: string | undefined = undefined;
  route: string;
  state: State = State.New;
  /** Clock time the application got the request, and how many were running then. */
  admittedAt = 0;
  runningAtStart = 0;
  timer: WheelHandle | undefined = undefined;
  /** Links of the running list or the queue (intrusive: no allocation to enqueue or unlink). */
  prev: InboundExchange | undefined = undefined;
  next: InboundExchange | undefined = undefined;
  #cancellation: Cancellation | undefined = undefined;
  #cancelled = false;
  #reason: unknown = undefined;

  constructor(
    owner: ExchangeOwner,
    service: string,
    clock: Clock,
    req: InboundRequest,
    res: InboundResponse,
    target: InboundTarget<unknown, unknown>,
    a: unknown,
    b: unknown,
    route: string,
    now: number,
  ) {
    this.owner = owner;
    this.service = service;
    this.clock = clock;
    this.req = req;
    this.res = res;
    this.target = target;
    this.a = a;
    this.b = b;
    this.route = route;
    this.startedAt = now;
  }

  get cancellation(): Cancellation {
    let c = this.#cancellation;
    if (c === undefined) {
      c = this.#cancellation = new Cancellation();
      if (this.#cancelled) c.cancel(this.#reason);
    }
    return c;
  }

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  get deadlineAt(): number {
    const d = this.deadline;
    return d === Infinity ? Infinity : Date.now() + (d - this.clock.now());
  }

  remaining(): number {
    return Math.max(0, this.deadline - this.clock.now());
  }

  /**
   * Ends the exchange now, whatever the application is doing: aborts the signal with `reason`,
   * answers `status` when no response head was sent (else destroys the response stream: the
   * HTTP/1.1 connection, or the HTTP/2 stream), records `status`, and frees the admission slot.
   * The deadline, a client that went away (HTTP/2 RST_STREAM, a closed session) and a drain past
   * its timeout all end an exchange through here. Idempotent.
   */
  terminate(reason: unknown, status: number): void {
    this.owner.terminate(this, reason, status);
  }

  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    this.#cancellation?.cancel(reason);
  }
}

/** An intrusive FIFO of exchanges (the running set and the admission queue). */
export class ExchangeList {
  head: InboundExchange | undefined = undefined;
  tail: InboundExchange | undefined = undefined;
  size = 0;

  push(ex: InboundExchange): void {
    ex.prev = this.tail;
    ex.next = undefined;
    if (this.tail) this.tail.next = ex;
    else this.head = ex;
    this.tail = ex;
    this.size++;
  }

  shift(): InboundExchange | undefined {
    const ex = this.head;
    if (ex) this.remove(ex);
    return ex;
  }

  remove(ex: InboundExchange): void {
    const { prev, next } = ex;
    if (prev) prev.next = next;
    else this.head = next;
    if (next) next.prev = prev;
    else this.tail = prev;
    ex.prev = ex.next = undefined;
    this.size--;
  }
}
