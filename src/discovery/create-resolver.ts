import type { DiscoveryConfig } from '../config/types.js';
import type { DiscoveryEnv, Resolver } from './resolver.js';
import { dnsResolver, type DnsLookup } from './dns-resolver.js';
import { EndpointPublisher } from './endpoint-publisher.js';
import { staticResolver } from './static-resolver.js';

export interface CreateResolverEnv extends DiscoveryEnv {
  /** DNS only: replaces the system resolver (tests). */
  readonly lookup?: DnsLookup;
  /** DNS only: name servers for the default lookup, e.g. `['127.0.0.1:5353']`. */
  readonly servers?: string[];
}

/**
 * Makes the resolver a destination's discovery config asks for.
 *
 * @example
 * const resolver = createResolver(serviceConfig.discovery, { clock: systemClock, log });
 * const stop = resolver.subscribe((endpoints) => endpointSet.update(endpoints));
 */
export function createResolver(cfg: DiscoveryConfig, env: CreateResolverEnv): Resolver {
  switch (cfg.kind) {
    case 'static':
      return staticResolver(cfg.endpoints);
    case 'dns':
      return dnsResolver(cfg, env);
    case 'control':
      return controlPlaceholder(env);
  }
}

/**
 * PLACEHOLDER: the control registry resolver is built by a later issue (it needs the control
 * client). Until then a `control` destination has no endpoints: calls fail with
 * MESH_ERR_NO_ENDPOINTS rather than the mesh refusing to start, and the log says why, once.
 */
function controlPlaceholder(env: DiscoveryEnv): Resolver {
  env.log.warn('discovery: the control registry is not available yet; this destination has no endpoints');
  const publisher = new EndpointPublisher(env.log);
  publisher.publish([]);
  return {
    subscribe: (listener) => publisher.subscribe(listener),
    current: () => publisher.current(),
    ready: () => publisher.ready(),
    close: () => publisher.clear(),
  };
}
