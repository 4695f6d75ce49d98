import { ConfigValidationError, type Random } from '../core/index.js';
import type { BalancerConfig } from '../config/types.js';
import type { Balanceable, Picker } from './picker.js';
import { P2cPicker } from './p2c.js';
import { RingHashPicker } from './ring-hash.js';
import { RoundRobinPicker } from './round-robin.js';

/**
 * Builds the picker a balancer config asks for over one endpoint list. Call it again whenever the
 * list or the config changes and swap the result in one assignment (grpc-js's Picker): the work
 * of a ring or a weight table is done here, once, and `pick()` allocates nothing.
 *
 * @example
 * let picker = createPicker(cfg.loadBalancer, endpointSet.endpoints, { random: Math.random });
 * const endpoint = picker.pick();
 */
export function createPicker<E extends Balanceable>(cfg: BalancerConfig, endpoints: readonly E[], env: { readonly random: Random }): Picker<E> {
  // A snapshot must not change under the picker: copy unless the caller already froze it.
  const list = Object.isFrozen(endpoints) ? endpoints : Object.freeze([...endpoints]);
  switch (cfg.kind) {
    case 'p2c-ewma':
      return new P2cPicker(list, { random: env.random, metric: 'load' });
    case 'least-request':
      return new P2cPicker(list, { random: env.random, metric: 'pending' });
    case 'round-robin':
      return new RoundRobinPicker(list);
    case 'ring-hash':
      if (!(cfg.virtualNodes >= 1))
        throw new ConfigValidationError([{ path: 'loadBalancer.virtualNodes', message: `must be at least 1, got ${cfg.virtualNodes}` }]);
      return new RingHashPicker(list, { virtualNodes: cfg.virtualNodes, random: env.random });
    default:
      throw new ConfigValidationError([{ path: 'loadBalancer', message: `unknown load balancer ${JSON.stringify((cfg as { kind: unknown }).kind)}` }]);
  }
}
