import type { Clock, Logger } from '../core/index.js';
import type { EndpointSpec } from '../config/types.js';

export type { EndpointSpec };

/**
 * Turns a destination's discovery config into endpoint sets. A resolver always publishes the
 * *full* current set (never a delta), and keeps the last good set when a lookup fails: the
 * balancer diffs sets itself so surviving endpoints keep their state.
 */
export interface Resolver {
  /** Calls `listener` with every new full set, and at once with the current set if there is one. Returns an unsubscribe. */
  subscribe(listener: (endpoints: readonly EndpointSpec[]) => void): () => void;
  /** The last good set, or undefined before the first answer. */
  current(): readonly EndpointSpec[] | undefined;
  /** Resolves once a first set (possibly empty) is in, or the first lookup has failed. */
  ready(): Promise<void>;
  /** Stops timers and lookups; idempotent. */
  close(): void;
}

export interface DiscoveryEnv {
  readonly clock: Clock;
  readonly log: Logger;
}
