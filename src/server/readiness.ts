import type { Clock } from '../core/index.js';

/** A readiness check: true when this part of the workload can take traffic. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface ReadinessReport {
  readonly ready: boolean;
  /** Each check by name: whether it passed, and why not when it did not. */
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly message?: string }>>;
}

/** A check that has not answered by then counts as failed: a probe must answer before the kubelet gives up. */
export const READINESS_CHECK_TIMEOUT_MS = 1000;

/**
 * The named checks behind `/readyz`: the mesh's own (config loaded, registered, not draining)
 * and the application's (a database pool, a warm cache). Ready when every check passes.
 *
 * @example
 * const readiness = new Readiness(systemClock);
 * const remove = readiness.add('db', () => pool.totalCount > 0);
 * (await readiness.report()).ready;
 */
export class Readiness {
  readonly #clock: Clock;
  readonly #checks = new Map<string, ReadinessCheck>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Adds (or replaces) a check; returns a function that removes it. */
  add(name: string, check: ReadinessCheck): () => void {
    if (typeof check !== 'function') throw new TypeError(`readiness check ${JSON.stringify(name)} must be a function`);
    this.#checks.set(name, check);
    return () => {
      if (this.#checks.get(name) === check) this.#checks.delete(name);
    };
  }

  async report(timeoutMs = READINESS_CHECK_TIMEOUT_MS): Promise<ReadinessReport> {
    const entries = await Promise.all([...this.#checks].map(async ([name, check]) => [name, await this.#run(check, timeoutMs)] as const));
    const checks: Record<string, { ok: boolean; message?: string }> = {};
    let ready = true;
    for (const [name, result] of entries) {
      checks[name] = result;
      if (!result.ok) ready = false;
    }
    return { ready, checks };
  }

  #run(check: ReadinessCheck, timeoutMs: number): Promise<{ ok: boolean; message?: string }> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => resolve({ ok: false, message: `no answer within ${timeoutMs} ms` }), timeoutMs);
      const settle = (r: { ok: boolean; message?: string }) => {
        this.#clock.clearTimeout(timer);
        resolve(r);
      };
      try {
        Promise.resolve(check()).then(
          (ok) => settle(ok === true ? { ok: true } : { ok: false, message: 'check returned false' }),
          (err: unknown) => settle({ ok: false, message: err instanceof Error ? err.message : String(err) }),
        );
      } catch (err) {
        settle({ ok: false, message: err instanceof Error ? err.message : String(err) });
      }
    });
  }
}
