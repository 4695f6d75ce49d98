import type { Endpoint } from '../core/index.js';

/** What a balancer needs of an endpoint: the core Endpoint without its call. */
export type Balanceable = Pick<Endpoint<unknown, unknown>, 'address' | 'labels' | 'weight' | 'status' | 'pending' | 'load'>;

/**
 * An immutable choice function over one endpoint list, replaced whenever the list or the
 * balancer config changes (grpc-js's Picker). `pick` is on every call's path: no allocation.
 */
export interface Picker<E extends Balanceable> {
  readonly endpoints: readonly E[];
  /** `hashKey` is used by ring-hash only. Undefined when there is no endpoint at all. */
  pick(hashKey?: string): E | undefined;
}
