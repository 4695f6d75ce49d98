import type { OutgoingHttpHeaders } from 'node:http';
import { DeadlineExceededError, inboundScope, MeshError, MeshHeaders, type Clock, type Logger, type MeshErrorCode } from '../core/index.js';
import type { AdaptiveConcurrencyConfig } from '../config/types.js';
import type { DeadlineWheel } from '../resilience/index.js';
import { parseDeadlineHeader } from './deadline-header.js';
import { GradientLimit } from './gradient-limit.js';
import { callerKey, isMeshCaller, loadReportDue } from './mesh-caller.js';
import type { AccessRefusal, InboundAccess } from './inbound-access.js';
import { answer, closeWhenLast, endResponse, setHeader } from './inbound-answer.js';
import { ExchangeList, InboundExchange, State, type ExchangeOwner, type InboundRequest, type InboundResponse, type InboundTarget } from './inbound-exchange.js';
import type { LoadReporter } from './load-reporter.js';
import { RateLimiter, type RateLimitSettings } from './rate-limiter.js';
import { refusalBody, retryAfterSeconds } from './refusal.js';
import { responseDelivered } from './response-delivered.js';
import type { RejectReason, ServerMetrics } from './server-metrics.js';
import { logInbound, type InboundAccessLog } from './inbound-access-log.js';
import { kExchange } from './shaped-messages.js';
import type { InboundTracing } from './inbound-tracing.js';

/** The slice of inbound config one stack enforces (mesh.yaml `inbound`, overridden per serve). */
export interface InboundLimits {
  readonly maxConcurrent: number | undefined;
  readonly maxQueue: number;
  readonly rateLimit: RateLimitSettings | undefined;
  readonly adaptiveConcurrency: AdaptiveConcurrencyConfig | undefined;
  /** Caps every request's deadline (ms), also when the caller sent none. */
  readonly timeout: number | undefined;
}

/** What a stack uses besides its limits; shared by every stack of a workload. */
export interface InboundEnv {
  readonly service: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly wheel: DeadlineWheel;
  readonly load: LoadReporter;
  readonly metrics: ServerMetrics;
  /** The caller's SPIFFE ID from the connection; undefined over plaintext. */
  readonly peerOf: (req: InboundRequest) => string | undefined;
  /** mTLS is on: only authenticated peers count as mesh callers (and get `inmesh-load`), not whoever sends the caller header. */
  readonly mtls?: boolean;
  /** Authentication and authorization of this workload's service; none configured: every request passes. */
  readonly access?: InboundAccess;
  /** Server spans; absent when the OpenTelemetry API is not installed (then `otel` stays undefined). */
  readonly tracing?: InboundTracing;
  /**
   * Whether to enter the inbound scope. On Node 20 an active AsyncLocalStorage store makes every
   * promise in the process dearer (~10% of a hello route's throughput), so a workload with no
   * destination to call, whose handlers only need `req.mesh`, does not pay for it.
   */
  readonly propagates: () => boolean;
  /** The access log in force (`inbound` undefined while off) and this workload's SPIFFE ID for its lines. */
  readonly accessLog?: InboundAccessLog;
}

type Tagged = { [kExchange]?: InboundExchange };

/** The exchange a response belongs to, if the stack saw its request. */
export function exchangeOf(res: InboundResponse): InboundExchange | undefined {
  return (res as Tagged)[kExchange];
}

/** The ms a shed caller is asked to wait: short, since another endpoint or a moment later will likely do. */
const OVERLOAD_RETRY_AFTER_MS = 1000;

/**
 * The inbound stack, one per served application: every request passes, in order, through
 *
 * 1. peer identity — the caller's SPIFFE ID from the connection (mTLS; undefined in plaintext);
 * 2. trace context — the server span, a child of the caller's when the headers carry a valid one (tracing on only);
 * 3. access — a JWT the request carries must verify (401; its claims go on `req.mesh.claims`),
 *    then the authorization rules must allow the caller (403). Before the deadline and admission,
 *    so a refused request, or one waiting for its issuer's keys, never takes a slot;
 * 4. deadline — `inmesh-deadline-ms` becomes an absolute deadline, capped by `timeout`; a
 *    malformed value is a 400, an already-passed one a 504; before admission, so a bad or
 *    expired request never takes a slot, and so a queued request can leave at its deadline;
 * 5. admission — the rate limit (service-wide or per caller; 429), then the concurrency limit
 *    (fixed or adaptive) with a bounded FIFO queue (503 beyond it). Refusals carry
 *    `inmesh-rejected: 1` and `retry-after`: nothing ran, so the client may retry elsewhere;
 * 6. the application, inside the inbound scope (entered here, once per request).
 *
 * Every response carries `inmesh-load`, and every request ends in one histogram sample. The
 * stages are straight-line code rather than a chain of Service promises: on the server the
 * application answers through `res`, not a return value, and a promise hop per stage would
 * cost throughput that a proxy-less mesh promises to keep.
 */
export class InboundStack implements ExchangeOwner {
  readonly #env: InboundEnv;
  readonly #running = new ExchangeList();
  readonly #queue = new ExchangeList();
  /** Requests whose token is being verified: no slot yet, but the drain waits for them and the deadline applies. */
  readonly #verifying = new ExchangeList();
  #limits!: InboundLimits;
  #rate: RateLimiter | undefined;
  #gradient: GradientLimit | undefined;
  #staticLimit = Infinity;
  #draining = false;
  #idleWaiters: Array<() => void> = [];

  constructor(limits: InboundLimits, env: InboundEnv) {
    this.#env = env;
    this.reconfigure(limits);
  }

  /** Requests the application is working on. */
  get running(): number {
    return this.#running.size;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#queue.size;
  }

  /** The concurrency limit in force now (Infinity for none). */
  get limit(): number {
    return this.#gradient ? Math.min(this.#gradient.limit, this.#staticLimit) : this.#staticLimit;
  }

  /** New limits from a config reload; counts, queue and token buckets carry over. */
  reconfigure(limits: InboundLimits): void {
    const now = this.#env.clock.now();
    this.#limits = limits;
    this.#staticLimit = limits.maxConcurrent ?? Infinity;
    if (!limits.rateLimit) this.#rate = undefined;
    else if (this.#rate) this.#rate.reconfigure(limits.rateLimit, now);
    else this.#rate = new RateLimiter(limits.rateLimit, now);
    if (!limits.adaptiveConcurrency) this.#gradient = undefined;
    else if (this.#gradient) this.#gradient.reconfigure(limits.adaptiveConcurrency);
    else this.#gradient = new GradientLimit(limits.adaptiveConcurrency, now);
    this.#pump(now);
  }

  /**
   * Runs one request through the stack. `target.run(a, b)` is called inside the inbound
   * scope once the request is admitted (now, or later from the queue); a refused request
   * gets its answer from the stack and never reaches the application.
   */
  handle<A, B>(req: InboundRequest, res: InboundResponse, target: InboundTarget<A, B>, a: A, b: B, route = ''): void {
    const env = this.#env;
    const now = env.clock.now();
    const ex = new InboundExchange(this, env.service, env.clock, req, res, target as InboundTarget<unknown, unknown>, a, b, route, now);
    (res as Tagged)[kExchange] = ex;
    (req as { mesh?: InboundExchange }).mesh = ex;
    res.on('close', onResponseClose);

    ex.peer = env.peerOf(req);
    if (env.tracing !== undefined) env.tracing.start(ex);

    const access = env.access?.current;
    if (access !== undefined) {
      const verdict = access.check(ex);
      if (verdict !== undefined) {
        if (!(verdict instanceof Promise)) return this.#deny(ex, verdict);
        ex.state = State.Verifying;
        this.#verifying.push(ex);
        // A malformed header is refused after verification, with the rest of the deadline checks.
        const header = req.headers[MeshHeaders.deadline];
        const due = this.#deadlineFrom(ex.startedAt, header === undefined ? undefined : parseDeadlineHeader(header));
        if (due !== Infinity) ex.timer = env.wheel.schedule(due, onDeadline, ex);
        verdict.then((v) => this.#afterAccess(ex, v), () => this.#afterAccess(ex, TOKEN_CHECK_FAILED));
        return;
      }
    }
    this.#admit(ex, now);
  }

  /** A token was verified (or not): the request goes on to the deadline and admission, unless its client has left meanwhile. */
  #afterAccess(ex: InboundExchange, refusal: AccessRefusal | undefined): void {
    if (ex.state !== State.Verifying) return;
    this.#verifying.remove(ex);
    ex.state = State.New;
    if (ex.timer !== undefined) {
      this.#env.wheel.cancel(ex.timer);
      ex.timer = undefined;
    }
    if (refusal !== undefined) this.#deny(ex, refusal);
    else this.#admit(ex, this.#env.clock.now());
  }

  #deny(ex: InboundExchange, refusal: AccessRefusal): void {
    this.#env.access?.refused(ex, refusal);
    // Not marked rejected: another endpoint of the service has the same rules.
    this.#refuse(ex, refusal.status, refusal.code, refusal.message, undefined, undefined, refusal.challenge);
  }

  /** The deadline a header's budget `ms` (undefined: none; negative: malformed) and `timeout` give to a request that arrived at `startedAt`. */
  #deadlineFrom(startedAt: number, ms: number | undefined): number {
    let due = ms === undefined || ms < 0 ? Infinity : startedAt + ms;
    const timeout = this.#limits.timeout;
    if (timeout !== undefined && startedAt + timeout < due) due = startedAt + timeout;
    return due;
  }

  /** The deadline, then admission: the request arrived at `ex.startedAt`, and it is `now`. */
  #admit(ex: InboundExchange, now: number): void {
    const env = this.#env;
    const req = ex.req;
    const header = req.headers[MeshHeaders.deadline];
    const ms = header === undefined ? undefined : parseDeadlineHeader(header);
    if (ms !== undefined && ms < 0) {
      const shown = JSON.stringify(String(header).slice(0, 40));
      return this.#refuse(ex, 400, 'MESH_ERR_BAD_REQUEST', `malformed ${MeshHeaders.deadline} header ${shown}: expected the remaining budget in whole milliseconds`, undefined, undefined);
    }
    ex.deadline = this.#deadlineFrom(ex.startedAt, ms);
    if (ex.deadline <= now) return this.#refuse(ex, 504, 'MESH_ERR_DEADLINE_EXCEEDED', "the caller's deadline had passed when the request arrived", 'deadline', undefined);

    const rate = this.#rate;
    if (rate !== undefined) {
      const waitMs = rate.take(rate.perCaller ? callerKey(ex) : '', now);
      if (waitMs > 0) {
        const per = rate.perCaller ? ' for this caller' : '';
        return this.#refuse(ex, 429, 'MESH_ERR_RATE_LIMITED', `rate limit of ${this.#limits.rateLimit!.rps} requests/s${per} exceeded`, rate.perCaller ? 'caller_rate_limit' : 'rate_limit', waitMs);
      }
    }

    if (this.#running.size < this.limit && this.#queue.size === 0) return this.#start(ex, now);
    if (this.#queue.size < this.#limits.maxQueue) {
      ex.state = State.Queued;
      this.#queue.push(ex);
      if (ex.deadline !== Infinity) ex.timer = env.wheel.schedule(ex.deadline, onDeadline, ex);
      return;
    }
    this.#refuse(ex, 503, 'MESH_ERR_OVERLOADED', `too many requests in flight (limit ${this.limit}, queue ${this.#limits.maxQueue})`, 'concurrency', OVERLOAD_RETRY_AFTER_MS);
  }

  /** The response ended (sent, or the client went away): frees the slot and records the request. */
  finish(ex: InboundExchange): void {
    const now = this.#env.clock.now();
    const res = ex.res;
    const completed = responseDelivered(res);
    if (ex.timer !== undefined) {
      this.#env.wheel.cancel(ex.timer);
      ex.timer = undefined;
    }
    if (ex.state === State.Running) {
      this.#running.remove(ex);
      if (!completed) ex.cancel(new MeshError('MESH_ERR_CANCELLED', 'the client closed the connection before the response ended'));
      else if (this.#gradient) this.#gradient.sample(now - ex.admittedAt, ex.runningAtStart, now);
    } else if (ex.state === State.Queued) {
      this.#queue.remove(ex);
      ex.cancel(new MeshError('MESH_ERR_CANCELLED', 'the client closed the connection while the request was queued'));
    } else if (ex.state === State.Verifying) {
      this.#verifying.remove(ex);
    }
    ex.state = State.Done;
    // 499 (nginx's "client closed request") when the client left before any response was sent.
    const status = res.headersSent ? res.statusCode : 499;
    const route = ex.target.routeOf ? ex.target.routeOf(ex) : ex.route;
    if (ex.span === undefined) this.#env.metrics.observe(ex.req.method, route, status, (now - ex.startedAt) / 1000, ex.peer);
    else this.#endTraced(ex, route, status, now);
    const accessLog = this.#env.accessLog?.control.inbound;
    if (accessLog !== undefined && accessLog.sample()) logInbound(accessLog, this.#env.accessLog!, ex, route, status, now, undefined, this.#env.tracing?.ids(ex));
    this.#pump(now);
    this.#wakeIfIdle();
  }

  /** The deadline passed: a queued request leaves with 504; a running one has its signal aborted. */
  expire(ex: InboundExchange): void {
    ex.timer = undefined;
    if (ex.state === State.Queued) {
      this.#queue.remove(ex);
      ex.cancel(new DeadlineExceededError('the deadline passed while the request waited for a slot'));
      this.#refuse(ex, 504, 'MESH_ERR_DEADLINE_EXCEEDED', 'the deadline passed while the request waited for a slot', 'deadline', undefined);
    } else if (ex.state === State.Running) {
      this.terminate(ex, new DeadlineExceededError('the deadline of the inbound request passed'), 504);
    } else if (ex.state === State.Verifying) {
      this.#verifying.remove(ex);
      this.#refuse(ex, 504, 'MESH_ERR_DEADLINE_EXCEEDED', "the deadline passed while the request's token was being verified", 'deadline', undefined);
      this.#wakeIfIdle();
    }
  }

  /** See `InboundExchange.terminate`: the one path that ends an exchange the application has not finished. */
  terminate(ex: InboundExchange, reason: unknown, status: number): void {
    const state = ex.state;
    if (state !== State.Running && state !== State.Queued && state !== State.Verifying) return;
    const now = this.#env.clock.now();
    if (ex.timer !== undefined) {
      this.#env.wheel.cancel(ex.timer);
      ex.timer = undefined;
    }
    if (state === State.Running) this.#running.remove(ex);
    else if (state === State.Queued) this.#queue.remove(ex);
    else this.#verifying.remove(ex);
    ex.state = State.Done;
    ex.cancel(reason);
    const route = ex.target.routeOf ? ex.target.routeOf(ex) : ex.route;
    if (ex.span === undefined) this.#env.metrics.observe(ex.req.method, route, status, (now - ex.startedAt) / 1000, ex.peer);
    else this.#endTraced(ex, route, status, now);
    const accessLog = this.#env.accessLog?.control.inbound;
    if (accessLog !== undefined && accessLog.sample()) logInbound(accessLog, this.#env.accessLog!, ex, route, status, now, reason, this.#env.tracing?.ids(ex));
    endResponse(ex, reason, status);
    this.#pump(now);
    this.#wakeIfIdle();
  }

  /**
   * Starts draining: responses whose headers are still to go say `connection: close`
   * (HTTP/1.1), so clients move their keep-alive connections elsewhere; requests that still
   * arrive are served.
   */
  beginDrain(): void {
    this.#draining = true;
    for (let ex = this.#running.head; ex; ex = ex.next) closeWhenLast(ex, this.#laterOnSocket);
  }

  /** Whether the client sent another request on `ex`'s connection after it (pipelining): one admitted later, or queued. */
  readonly #laterOnSocket = (ex: InboundExchange): boolean => {
    const socket = ex.req.socket;
    for (let other = ex.state === State.Running ? ex.next : undefined; other; other = other.next) if (other.req.socket === socket) return true;
    for (let other = this.#queue.head; other; other = other.next) if (other !== ex && other.req.socket === socket) return true;
    return false;
  };

  /** Resolves when nothing is running or queued. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Past the drain timeout: ends what is still running or queued with 503 (see `terminate`). */
  abort(reason: unknown): void {
    while (this.#verifying.head) this.terminate(this.#verifying.head, reason, 503);
    while (this.#queue.head) this.terminate(this.#queue.head, reason, 503);
    while (this.#running.head) this.terminate(this.#running.head, reason, 503);
  }

  #start(ex: InboundExchange, now: number): void {
    ex.state = State.Running;
    ex.admittedAt = now;
    ex.runningAtStart = this.#running.size;
    this.#running.push(ex);
    if (loadReportDue(ex, now, this.#env.mtls === true)) setHeader(ex, MeshHeaders.load, this.#env.load.value(this.#running.size + this.#queue.size, now));
    if (this.#draining) closeWhenLast(ex, this.#laterOnSocket);
    if (ex.deadline !== Infinity && ex.timer === undefined) ex.timer = this.#env.wheel.schedule(ex.deadline, onDeadline, ex);
    const traced = ex.span !== undefined;
    if (this.#env.propagates()) inboundScope.run(ex, traced ? this.#runTraced : runApplication, ex);
    else if (traced) this.#runTraced(ex);
    else runApplication(ex);
  }

  /** Records a traced request, its trace as the exemplar, and ends its span. */
  #endTraced(ex: InboundExchange, route: string, status: number, now: number): void {
    const tracing = this.#env.tracing!;
    this.#env.metrics.observe(ex.req.method, route, status, (now - ex.startedAt) / 1000, ex.peer, tracing.sampledIds(ex));
    tracing.end(ex, status, route);
  }

  readonly #runTraced = (ex: InboundExchange): void => this.#env.tracing!.run(ex, runApplication);

  #pump(now: number): void {
    const queue = this.#queue;
    while (queue.size > 0 && this.#running.size < this.limit) {
      const ex = queue.shift()!;
      this.#start(ex, now);
    }
  }

  #refuse(ex: InboundExchange, status: number, code: MeshErrorCode, message: string, reason: RejectReason | undefined, retryAfterMs: number | undefined, challenge?: string): void {
    ex.state = State.Refused;
    ex.refusal = code;
    if (reason) this.#env.metrics.rejected(reason);
    const body = refusalBody(code, message);
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8' };
    if (isMeshCaller(ex, this.#env.mtls === true)) headers[MeshHeaders.load] = this.#env.load.value(this.#running.size + this.#queue.size, this.#env.clock.now());
    // Refused before the application saw it: safe for the client to send elsewhere.
    if (reason) headers[MeshHeaders.rejected] = '1';
    if (retryAfterMs !== undefined) headers['retry-after'] = retryAfterSeconds(retryAfterMs);
    if (challenge !== undefined) headers['www-authenticate'] = challenge;
    if (this.#draining && ex.req.httpVersionMajor === 1) headers.connection = 'close';
    answer(ex, status, headers, body);
  }

  #isIdle(): boolean {
    return this.#running.size === 0 && this.#queue.size === 0 && this.#verifying.size === 0;
  }

  #wakeIfIdle(): void {
    if (this.#idleWaiters.length > 0 && this.#isIdle()) this.#wakeIdle();
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** A token check that threw rather than answering (it should not): refused like an invalid token. */
const TOKEN_CHECK_FAILED: AccessRefusal = { status: 401, code: 'MESH_ERR_UNAUTHORIZED', reason: 'jwt', message: 'the token could not be checked', challenge: 'Bearer error="invalid_token"' };

function runApplication(ex: InboundExchange): void {
  ex.target.run(ex.a, ex.b);
}

function onResponseClose(this: InboundResponse): void {
  const ex = (this as Tagged)[kExchange];
  if (ex !== undefined && ex.state !== State.Done) ex.owner.finish(ex);
}

function onDeadline(ex: InboundExchange): void {
  ex.owner.expire(ex);
}
