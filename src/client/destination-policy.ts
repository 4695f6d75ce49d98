import type { ServiceConfig } from '../config/types.js';
import type { ClientEnv } from './client-env.js';

/**
 * Policy state one destination shares across its routes, endpoints and reloads (retry
 * budget, concurrency limit, outlier detection), so that a config reload does not reset it.
 */
export class DestinationPolicy {
  #cfg: ServiceConfig;
  readonly #env: ClientEnv;

  constructor(cfg: ServiceConfig, env: ClientEnv) {
    this.#cfg = cfg;
    this.#env = env;
  }

  reconfigure(cfg: ServiceConfig): void {
    this.#cfg = cfg;
  }

  endpointsChanged(_addresses: readonly string[]): void {}

  close(): void {}

  get env(): ClientEnv {
    return this.#env;
  }

  get config(): ServiceConfig {
    return this.#cfg;
  }
}
