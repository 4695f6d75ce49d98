import type { EndpointSpec } from '../config/types.js';
import type { Resolver } from './resolver.js';
import { EndpointPublisher } from './endpoint-publisher.js';

/**
 * A resolver over a fixed list of endpoints: ready at once, never changes.
 *
 * @example
 * const r = staticResolver([{ address: '127.0.0.1:8081', host: '127.0.0.1', port: 8081, labels: {}, weight: 1 }]);
 * r.subscribe((endpoints) => balancer.update(endpoints));
 */
export function staticResolver(endpoints: readonly EndpointSpec[]): Resolver {
  const publisher = new EndpointPublisher();
  publisher.publish(Object.freeze([...endpoints]));
  return {
    subscribe: (listener) => publisher.subscribe(listener),
    current: () => publisher.current(),
    ready: () => publisher.ready(),
    close: () => publisher.clear(),
  };
}
