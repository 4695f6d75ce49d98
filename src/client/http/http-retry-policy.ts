import { isMeshError, MeshHeaders, TransportError, type CallContext } from '../../core/index.js';
import type { RetryConfig, RetryOn } from '../../config/types.js';
import { IDEMPOTENT_METHODS } from '../../config/normalize-route.js';
import type { HttpRequest, HttpResponse } from './http-types.js';
import { isReplayable } from './replayable-body.js';
import { retryAfterMs } from './retry-after.js';

export { retryAfterMs };

export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly reason: string; readonly notBefore?: number };

function statusMatches(on: readonly RetryOn[], status: number): boolean {
  for (const o of on) {
    if (o === status) return true;
    if (o === '5xx' && status >= 500) return true;
    if (o === 'gateway-error' && (status === 502 || status === 503 || status === 504)) return true;
  }
  return false;
}

/**
 * When an HTTP attempt may be tried again, in the terms of `retries.on`:
 * - a failure before anything was sent (connect failure, refused stream, a rejection such as
 *   an open breaker or a shedding server's `inmesh-rejected`) is safe for any method;
 * - anything else is retried only for idempotent methods, unless the route allows it
 *   (`retryNonIdempotent`), because the server may already have acted on it.
 */
export class HttpRetryPolicy {
  readonly #on: readonly RetryOn[];
  readonly #nonIdempotent: boolean;

  constructor(cfg: Pick<RetryConfig, 'on' | 'retryNonIdempotent'>) {
    this.#on = cfg.on;
    this.#nonIdempotent = cfg.retryNonIdempotent;
  }

  classify(outcome: { res: HttpResponse } | { err: unknown }, req: HttpRequest, ctx: CallContext): RetryDecision {
    if (ctx.cancellation.cancelled) return NO;
    const mayRepeat = this.#nonIdempotent || req.opts.idempotent === true || IDEMPOTENT_METHODS.has(req.opts.method);
    if ('res' in outcome) {
      const res = outcome.res;
      const status = res.statusCode;
      if (status < 500 && status !== 429) return NO;
      const rejected = res.header(MeshHeaders.rejected) === '1';
      if (!rejected && !statusMatches(this.#on, status)) return NO;
      if (!rejected && !mayRepeat) return NO;
      const wait = status === 429 || status === 503 ? retryAfterMs(res.header('retry-after')) : undefined;
      return { retry: true, reason: rejected ? 'rejected' : String(status), ...(wait === undefined ? {} : { notBefore: wait }) };
    }
    const err = outcome.err;
    if (!isMeshError(err)) return NO;
    if (err instanceof TransportError) {
      if (!(this.#on as readonly unknown[]).includes(err.failure)) return NO;
      return err.rejected || mayRepeat ? { retry: true, reason: err.failure } : NO;
    }
    // Rejections by the mesh itself (open breaker, overload): nothing was sent.
    if (err.rejected && err.retryable) return { retry: true, reason: err.code };
    return NO;
  }

  endpointOf(outcome: { res: HttpResponse } | { err: unknown }): string | undefined {
    if ('res' in outcome) return outcome.res.endpoint || undefined;
    return isMeshError(outcome.err) ? outcome.err.endpoint : undefined;
  }

  /** The request again: only a body held in memory can be sent twice (the retry layer buffers small streamed ones first). */
  prepare(req: HttpRequest): HttpRequest | undefined {
    return isReplayable(req.opts.body) ? req : undefined;
  }

  discard(res: HttpResponse): void {
    res.discard();
  }
}

const NO: RetryDecision = { retry: false };
