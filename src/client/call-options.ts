import { Dispatcher } from 'undici';
import { withOptions } from './http/dispatch-options.js';
import type { HedgeConfig, RetryConfig } from '../config/types.js';

/**
 * Per-call overrides of the destination's policy, given to `mesh.request`/`mesh.fetch`.
 *
 * @example
 * await mesh.request('http://orders/api/orders/42', { timeout: 200, retry: false });
 */
export interface MeshCallOptions {
  /** Give up after this many milliseconds (never later than a deadline inherited from the request being served). */
  readonly timeout?: number;
  /** Give up at this wall-clock time (`Date.now()` scale). */
  readonly deadline?: number;
  /** `false` turns retries off for this call; an object overrides parts of the policy. */
  readonly retry?: false | Partial<Pick<RetryConfig, 'attempts' | 'on' | 'retryNonIdempotent' | 'backoff'>>;
  /** `false` turns hedging off for this call; an object hedges it (idempotent calls only). */
  readonly hedge?: false | Partial<HedgeConfig>;
}

/** The dispatch-options key that carries MeshCallOptions from `mesh.request`/`mesh.fetch` to the dispatcher. */
export const kCallOptions = 'inmeshCall';

/** The stack variant a call needs: '' for the configured policy, else a key naming the overrides. */
export function variantKey(o: MeshCallOptions | undefined): string {
  if (!o || (o.retry === undefined && o.hedge === undefined)) return '';
  return JSON.stringify([o.retry ?? null, o.hedge ?? null]);
}

/** The MeshCallOptions among a call's options, or undefined when there are none (the common case). */
export function pickCallOptions(o: MeshCallOptions): MeshCallOptions | undefined {
  if (o.timeout === undefined && o.deadline === undefined && o.retry === undefined && o.hedge === undefined) return undefined;
  return { timeout: o.timeout, deadline: o.deadline, retry: o.retry, hedge: o.hedge };
}

/**
 * Why per-call options cannot be used, or undefined when they can: a timeout that is not a
 * non-negative number of ms, or a deadline that is not a time, would reach the timers as NaN.
 */
export function invalidCallOptions(o: MeshCallOptions): string | undefined {
  if (o.timeout !== undefined && !(typeof o.timeout === 'number' && o.timeout >= 0)) return `the timeout option must be a non-negative number of milliseconds, got ${String(o.timeout)}`;
  if (o.deadline !== undefined && !(typeof o.deadline === 'number' && !Number.isNaN(o.deadline))) return `the deadline option must be a time in ms since the epoch (Date.now() scale), got ${String(o.deadline)}`;
  return undefined;
}

/** A dispatcher for one fetch that adds the call's overrides to the options of what it dispatches. */
class CallOptionsDispatcher extends Dispatcher {
  readonly #inner: Dispatcher;
  readonly #call: MeshCallOptions;
  constructor(inner: Dispatcher, call: MeshCallOptions) {
    super();
    this.#inner = inner;
    this.#call = call;
  }
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#inner.dispatch(withOptions(opts, { [kCallOptions]: this.#call }), handler);
  }
  override close(): Promise<void> {
    return Promise.resolve();
  }
  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}

export function withCallOptions(inner: Dispatcher, call: MeshCallOptions): Dispatcher {
  return new CallOptionsDispatcher(inner, call);
}
