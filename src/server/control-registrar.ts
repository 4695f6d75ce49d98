import type { Clock, Logger, Random } from '../core/index.js';
import { ControlPaths, type InstanceLeaseBody, type RegisterInstanceBody } from '../config/control-api.js';
import type { ControlConfig } from '../config/types.js';
import { fullJitterDelay } from '../discovery/control/backoff.js';
import { ControlUnavailableError, type ControlClient } from '../discovery/control/control-client.js';
import type { Registrar, ServedInstance } from './registrar.js';

export interface ControlRegistrarOptions {
  readonly client: ControlClient;
  /** `control.instance` of mesh.yaml: version, labels and lease. */
  readonly instance: () => ControlConfig['instance'];
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
}

/** One registration or deregistration exchange; a daemon slower than this is treated as away. */
const EXCHANGE_TIMEOUT_MS = 2500;

/**
 * `mesh.serve`'s registrar when mesh.yaml has `control.url`: each served instance is PUT to the
 * registry (address, protocols, `control.instance` version and labels, meshed when the port
 * speaks mTLS) and the same idempotent PUT renews its lease every third of it, with jitter. A
 * daemon that restarted empty or let the lease lapse gets the instance back with the next renewal;
 * a failed renewal is retried with backoff, sooner than the lease would lapse. A first failure is
 * thrown to `mesh.serve`, which keeps trying in the background. Deregistration is one bounded
 * DELETE: a daemon that is away must not hold a drain (its lease lapses on its own).
 *
 * @example
 * const registrar = new ControlRegistrar({ client, instance: () => config.control.instance, clock, random, log });
 * await mesh.serve(app, { registrar });
 */
export class ControlRegistrar implements Registrar {
  readonly #o: ControlRegistrarOptions;
  readonly #leases = new Map<string, Lease>();
  /** A workload that starts while the daemon is away is ready all the same: peers that have it cached, static or DNS endpoints can reach it. */
  readonly gatesReadiness = false;

  constructor(o: ControlRegistrarOptions) {
    this.#o = o;
  }

  async register(instance: ServedInstance): Promise<void> {
    const lease = new Lease(instance, this.#o);
    await lease.put(); // throws: mesh.serve retries
    this.#leases.get(instance.address)?.stop();
    this.#leases.set(instance.address, lease);
    lease.keepRenewed();
  }

  async deregister(instance: ServedInstance): Promise<void> {
    this.#leases.get(instance.address)?.stop();
    this.#leases.delete(instance.address);
    const answer = await this.#o.client.call(ControlPaths.instance(instance.service, instance.address), { feed: 'registration', method: 'DELETE', timeoutMs: EXCHANGE_TIMEOUT_MS });
    if (answer.status >= 400 && answer.status !== 404) throw new Error(`the registry refused the deregistration (${answer.status}): ${errorMessage(answer.body)}`);
  }

  /** Stops renewing every lease (the mesh is closing; the daemon lets them lapse). */
  close(): void {
    for (const l of this.#leases.values()) l.stop();
    this.#leases.clear();
  }
}

class Lease {
  readonly #instance: ServedInstance;
  readonly #o: ControlRegistrarOptions;
  readonly #stop = new AbortController();
  #timer: unknown;
  #failures = 0;
  #leaseMs = 0;

  constructor(instance: ServedInstance, o: ControlRegistrarOptions) {
    this.#instance = instance;
    this.#o = o;
  }

  async put(): Promise<void> {
    const cfg = this.#o.instance();
    const meshed = this.#instance.protocols.some((p) => p.startsWith('mtls:'));
    const body: RegisterInstanceBody = {
      labels: cfg.labels,
      ...(cfg.version !== undefined && { version: cfg.version }),
      meshed,
      // The registry speaks of what the port serves; mTLS is what `meshed` says.
      protocols: [...new Set(this.#instance.protocols.map((p) => p.replace(/^mtls:/, '')))],
      leaseSeconds: Math.round(cfg.lease / 1000),
    };
    const answer = await this.#o.client.call(ControlPaths.instance(this.#instance.service, this.#instance.address), {
      feed: 'registration',
      method: 'PUT',
      body,
      timeoutMs: EXCHANGE_TIMEOUT_MS,
      signal: this.#stop.signal,
    });
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`the registry refused ${this.#instance.address} (${answer.status}): ${errorMessage(answer.body)}`);
    const granted = (answer.body as Partial<InstanceLeaseBody> | undefined)?.leaseSeconds;
    this.#leaseMs = typeof granted === 'number' && granted > 0 ? granted * 1000 : cfg.lease;
  }

  keepRenewed(): void {
    // A third of the lease, less up to a tenth, so a fleet started together does not renew together.
    this.#arm((this.#leaseMs / 3) * (0.9 + 0.1 * this.#o.random()));
  }

  stop(): void {
    this.#stop.abort();
    this.#o.clock.clearTimeout(this.#timer);
  }

  #arm(ms: number): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = this.#o.clock.setTimeout(() => void this.#renew(), ms);
  }

  async #renew(): Promise<void> {
    try {
      await this.put();
      if (this.#failures > 0) this.#o.log.info('registration renewed again', { address: this.#instance.address, failures: this.#failures });
      this.#failures = 0;
      this.keepRenewed();
    } catch (err) {
      if (this.#stop.signal.aborted) return;
      this.#failures++;
      // The client counts the exchanges that got no answer; a refusal is counted here.
      if (!(err instanceof ControlUnavailableError)) this.#o.client.reportFailure('registration');
      // Retry well inside the lease, so a daemon back from a restart has the instance before it could lapse.
      const delay = Math.min(fullJitterDelay(this.#failures, this.#o.random), this.#leaseMs / 3);
      (this.#failures === 1 ? this.#o.log.warn : this.#o.log.debug).call(this.#o.log, 'registration renewal failed; retrying', {
        address: this.#instance.address,
        error: (err as Error).message,
        retryInMs: Math.round(delay),
      });
      this.#arm(delay);
    }
  }
}

function errorMessage(body: unknown): string {
  const e = (body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof e?.message === 'string' ? e.message.slice(0, 300) : 'no message';
}
