import type { CallContext, Clock, Layer, Random } from '../core/index.js';
import type { FaultConfig } from '../config/types.js';
import { sleep } from './sleep.js';

export interface FaultDeps<Res> {
  readonly clock: Clock;
  readonly random: Random;
  /** The synthetic response of an injected abort (HTTP: an empty response with this status). */
  readonly abort: (status: number) => Res;
}

/**
 * Fault injection (Istio's HTTPFaultInjection, Envoy's fault filter): `delay.percent` of calls
 * wait `delay.duration` on the Clock first (cancellable: the deadline still applies), and
 * `abort.percent` of calls get `deps.abort(status)` without reaching `next`. As in Envoy, a call
 * can be both delayed and then aborted; the two draws are independent.
 *
 * @example
 * const layer = fault({ delay: { percent: 10, duration: 500 }, abort: undefined }, { clock, random, abort: (s) => syntheticResponse(s) });
 */
export function fault<Req, Res>(cfg: FaultConfig, deps: FaultDeps<Res>): Layer<Req, Res> {
  const { delay, abort } = cfg;
  if (delay) {
    checkPercent(delay.percent, 'delay');
    if (!(delay.duration >= 0) || !Number.isFinite(delay.duration)) throw new RangeError(`fault: delay.duration must be a non-negative number of ms, got ${delay.duration}`);
  }
  if (abort) {
    checkPercent(abort.percent, 'abort');
    if (!Number.isInteger(abort.status)) throw new RangeError(`fault: abort.status must be an integer, got ${abort.status}`);
  }
  const delayP = delay && delay.duration > 0 ? delay.percent / 100 : 0;
  const abortP = abort ? abort.percent / 100 : 0;
  if (delayP === 0 && abortP === 0) return (next) => next;
  const { clock, random } = deps;
  const duration = delay?.duration ?? 0;
  const status = abort?.status ?? 0;
  const aborted = (): Promise<Res> => {
    try {
      return Promise.resolve(deps.abort(status));
    } catch (err) {
      return Promise.reject(err);
    }
  };

  return (next) => {
    const proceed = (req: Req, ctx: CallContext, doAbort: boolean): Promise<Res> => (doAbort ? aborted() : next(req, ctx));
    return function fault(req: Req, ctx: CallContext): Promise<Res> {
      const doDelay = delayP > 0 && random() < delayP;
      const doAbort = abortP > 0 && random() < abortP;
      if (!doDelay) return proceed(req, ctx, doAbort);
      return sleep(clock, duration, ctx.cancellation).then(() => proceed(req, ctx, doAbort));
    };
  };
}

function checkPercent(p: number, what: string): void {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`fault: ${what}.percent must be between 0 and 100, got ${p}`);
}
