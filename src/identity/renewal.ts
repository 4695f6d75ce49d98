import type { Clock, Logger, Random, TimerHandle } from '../core/index.js';
import type { Credentials, WorkloadIdentity } from './workload-identity.js';

export interface RenewalOptions {
  readonly identity: WorkloadIdentity;
  /** Fetches or issues new credentials (a new key pair each time). */
  readonly renew: () => Promise<Credentials>;
  readonly clock: Clock;
  readonly random: Random;
  /** Wall time in epoch ms, the scale of certificate validity. */
  readonly wallNow?: () => number;
  readonly log: Logger;
  readonly onResult?: (result: 'renewed' | 'failed') => void;
  /** Renew this soon instead of at half-life: credentials taken from a cache are replaced once the issuer answers. */
  readonly firstRenewalInMs?: number;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

/**
 * When to renew a certificate just put in force: at half the life it has left, give or take a
 * tenth, so that a fleet started at once does not renew at once (SPIRE and Istio renew at half as
 * well). From what is left rather than from notBefore, which CAs backdate for clock skew (a minute
 * here): on a short certificate that minute would put the half-life in the past. In ms from `now`.
 */
export function renewalDelay(notAfter: number, now: number, random: Random): number {
  const left = Math.max(0, notAfter - now);
  return left * (0.4 + 0.2 * random());
}

/**
 * Keeps `identity` renewed: at each renewal time new credentials are fetched and swapped in;
 * a failure (daemon away, CA refusing) is retried with doubling backoff up to a minute, while
 * the current certificate stays in force — a certificate at half its life still has the other
 * half to wait out an outage. Timers are the clock's (unref'd): renewal never keeps a process alive.
 */
export function keepRenewed(o: RenewalOptions): () => void {
  const wallNow = o.wallNow ?? Date.now;
  let timer: TimerHandle | undefined;
  let stopped = false;
  let retryMs = FIRST_RETRY_MS;
  const arm = (ms: number) => {
    timer = o.clock.setTimeout(() => void attempt(), ms);
  };
  const scheduleNext = () => arm(renewalDelay(o.identity.notAfter, wallNow(), o.random));
  const attempt = async () => {
    try {
      const creds = await o.renew();
      if (stopped) return;
      o.identity.update(creds);
      retryMs = FIRST_RETRY_MS;
      o.onResult?.('renewed');
      o.log.info('certificate renewed', { spiffeId: o.identity.spiffeId, notAfter: new Date(o.identity.notAfter).toISOString() });
      scheduleNext();
    } catch (err) {
      if (stopped) return;
      o.onResult?.('failed');
      const left = o.identity.notAfter - wallNow();
      (left > 0 ? o.log.warn : o.log.error).call(o.log, 'certificate renewal failed: the current one stays in force', {
        error: (err as Error).message,
        retryInMs: retryMs,
        expiresInMs: left,
      });
      arm(retryMs);
      retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    }
  };
  if (o.firstRenewalInMs !== undefined) arm(o.firstRenewalInMs);
  else scheduleNext();
  return () => {
    stopped = true;
    if (timer !== undefined) o.clock.clearTimeout(timer);
  };
}
