import type { CallContext, Service } from '../../src/core/index.js';

/** One call that reached the mock service; the test decides how it ends (tower-test's `SendResponse`). */
export interface MockCall<Req, Res> {
  readonly req: Req;
  readonly ctx: CallContext;
  /** True once responded to, failed, or rejected by its cancellation. */
  readonly settled: boolean;
  respond(res: Res): void;
  fail(err: unknown): void;
}

export interface MockHandle<Req, Res> {
  /** The next call not yet taken, waiting for it if none has arrived (tower-test's `next_request`). */
  next(): Promise<MockCall<Req, Res>>;
  /** Every call received, in order. */
  readonly calls: readonly MockCall<Req, Res>[];
  /** Calls received and not settled. */
  readonly pending: number;
}

export interface MockServiceOptions {
  /**
   * Reject a call with its cancellation's reason when `ctx.cancellation` fires, as the HTTP
   * transport does. Default true; false models a service that ignores cancellation.
   */
  honourCancellation?: boolean;
}

/**
 * A service and a handle on the calls it receives (tower-test's `mock::pair`): nothing happens
 * until the test responds.
 *
 * @example
 * const [svc, handle] = mockService<string, string>();
 * const p = svc('hi', ctx);
 * (await handle.next()).respond('hello');
 */
export function mockService<Req, Res>(o: MockServiceOptions = {}): [Service<Req, Res>, MockHandle<Req, Res>] {
  const honour = o.honourCancellation ?? true;
  const calls: MockCall<Req, Res>[] = [];
  const untaken: MockCall<Req, Res>[] = [];
  const waiting: Array<(c: MockCall<Req, Res>) => void> = [];

  const svc: Service<Req, Res> = (req, ctx) =>
    new Promise<Res>((resolve, reject) => {
      let settled = false;
      let off: (() => void) | undefined;
      const end = (): boolean => {
        if (settled) return false;
        settled = true;
        off?.();
        return true;
      };
      const call: MockCall<Req, Res> = {
        req,
        ctx,
        get settled() {
          return settled;
        },
        respond(res) {
          if (end()) resolve(res);
        },
        fail(err) {
          if (end()) reject(err);
        },
      };
      if (honour) off = ctx.cancellation.onCancel((reason) => call.fail(reason));
      calls.push(call);
      const w = waiting.shift();
      if (w) w(call);
      else untaken.push(call);
    });

  const handle: MockHandle<Req, Res> = {
    next() {
      const c = untaken.shift();
      if (c) return Promise.resolve(c);
      return new Promise((resolve) => waiting.push(resolve));
    },
    calls,
    get pending() {
      return calls.filter((c) => !c.settled).length;
    },
  };
  return [svc, handle];
}

/** Lets queued promise continuations run (no timers involved, so it works under fake timers). */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
