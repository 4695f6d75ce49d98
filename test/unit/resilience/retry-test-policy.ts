import { TransportError, isMeshError } from '../../../src/core/index.js';
import type { RetryConfig } from '../../../src/config/types.js';
import type { Outcome, RetryDecision, RetryPolicy } from '../../../src/resilience/retry.js';

export interface Req {
  readonly path: string;
  readonly streamed?: boolean;
  readonly attempt?: number;
}

export interface Res {
  readonly status: number;
  readonly endpoint: string;
  /** ms, as a Retry-After header would say. */
  readonly retryAfter?: number;
}

const NO: RetryDecision = { retry: false };

/** A small HTTP-like policy: retry 503 (honouring retry-after) and connect failures. */
export class TestPolicy implements RetryPolicy<Req, Res> {
  readonly discarded: Res[] = [];
  retryAll = false;

  classify(o: Outcome<Res>): RetryDecision {
    if ('res' in o) return o.res.status === 503 ? { retry: true, reason: '503', notBefore: o.res.retryAfter } : NO;
    if (this.retryAll) return { retry: true, reason: 'any' };
    return o.err instanceof TransportError && o.err.failure === 'connect-failure' ? { retry: true, reason: 'connect-failure' } : NO;
  }

  endpointOf(o: Outcome<Res>): string | undefined {
    if ('res' in o) return o.res.endpoint;
    return isMeshError(o.err) ? o.err.endpoint : undefined;
  }

  prepare(req: Req, attempt: number): Req | undefined {
    return req.streamed ? undefined : { ...req, attempt };
  }

  discard(res: Res): void {
    this.discarded.push(res);
  }
}

export function retryConfig(o: Partial<RetryConfig> = {}): RetryConfig {
  return {
    attempts: 3,
    budget: 0.2,
    minRetriesPerSecond: 10,
    on: ['connect-failure', 503],
    backoff: { base: 10, max: 100 },
    retryNonIdempotent: false,
    maxBodyBytes: 65536,
    ...o,
  };
}
