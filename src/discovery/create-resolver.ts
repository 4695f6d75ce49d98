import type { DiscoveryConfig } from '../config/types.js';
import type { DiscoveryEnv, Resolver } from './resolver.js';
import { dnsResolver, type DnsLookup } from './dns-resolver.js';
import { EndpointPublisher } from './endpoint-publisher.js';
import { staticResolver } from './static-resolver.js';
import type { ControlRegistry } from './control/control-registry.js';

export interface CreateResolverEnv extends DiscoveryEnv {
  /** DNS only: replaces the system resolver (tests). */
  readonly lookup?: DnsLookup;
  /** DNS only: name servers for the default lookup, e.g. `['127.0.0.1:5353']`. */
  readonly servers?: string[];
  /** The control daemon's registry, when mesh.yaml has `control.url`. */
  readonly control?: ControlRegistry;
}

/**
 * Makes the resolver a destination's discovery config asks for.
 *
 * @example
 * const resolver = createResolver(serviceConfig.discovery, { clock: systemClock, log }, 'orders');
 * const stop = resolver.subscribe((endpoints) => endpointSet.update(endpoints));
 */
export function createResolver(cfg: DiscoveryConfig, env: CreateResolverEnv, service: string): Resolver {
  switch (cfg.kind) {
    case 'static':
      return staticResolver(cfg.endpoints);
    case 'dns':
      return dnsResolver(cfg, env);
    case 'control':
      return env.control ? env.control.resolver(service) : withoutRegistry(env);
  }
}

/**
 * A `control` destination outside a mesh that runs the control client (a stack built on its own):
 * no endpoints, so calls fail with MESH_ERR_NO_ENDPOINTS, and the log says why, once.
 */
function withoutRegistry(env: DiscoveryEnv): Resolver {
  env.log.warn('discovery: no control registry in this environment; this destination has no endpoints');
  const publisher = new EndpointPublisher(env.log);
  publisher.publish([]);
  return {
    subscribe: (listener) => publisher.subscribe(listener),
    current: () => publisher.current(),
    ready: () => publisher.ready(),
    close: () => publisher.clear(),
  };
}
