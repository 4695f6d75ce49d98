import type { InboundConfig } from '../config/types.js';

/** The longest delay a Node timer holds; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** How long HTTP/1.1 clients get to send a request and how long idle connections stay (ms). */
export interface ClientTimeouts {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
}

export type ClientTimeoutOverrides = Partial<ClientTimeouts>;

/**
 * mesh.yaml's `inbound` timeouts with the `mesh.serve` options applied; throws a RangeError
 * naming the option on a bad value. A header timeout above the request timeout is cut to it
 * (the head is part of the request) unless both were given.
 */
export function clientTimeouts(cfg: InboundConfig, o: ClientTimeoutOverrides = {}): ClientTimeouts {
  const requestTimeout = checked('requestTimeout', o.requestTimeout ?? cfg.requestTimeout);
  let headersTimeout = checked('headersTimeout', o.headersTimeout ?? cfg.headersTimeout);
  if (headersTimeout > requestTimeout) {
    if (o.headersTimeout !== undefined && o.requestTimeout !== undefined) throw new RangeError(`headersTimeout ${headersTimeout} ms is above requestTimeout ${requestTimeout} ms`);
    headersTimeout = requestTimeout;
  }
  return { headersTimeout, requestTimeout, keepAliveTimeout: checked('keepAliveTimeout', o.keepAliveTimeout ?? cfg.keepAliveTimeout) };
}

function checked(name: string, ms: number): number {
  if (!(ms > 0 && ms <= MAX_TIMER_MS)) throw new RangeError(`${name} must be above 0 ms and at most ${MAX_TIMER_MS} ms, got ${ms}`);
  return ms;
}

/**
 * How often Node checks connections for the header and request timeouts: its default of 30 s
 * lets a trickled head live up to 30 s past `headersTimeout`. A quarter of the shorter timeout,
 * between 250 ms and 5 s, keeps the overshoot small for little work.
 */
export function connectionsCheckingInterval(t: ClientTimeouts): number {
  return Math.min(5000, Math.max(250, Math.floor(Math.min(t.headersTimeout, t.requestTimeout) / 4)));
}
