export type { Resolver, DiscoveryEnv, EndpointSpec } from './resolver.js';
export { staticResolver } from './static-resolver.js';
export { dnsResolver, systemDnsLookup, DNS_MIN_REFRESH_MS } from './dns-resolver.js';
export type { DnsLookup, DnsResolverEnv, DnsDiscoveryConfig } from './dns-resolver.js';
export { createResolver } from './create-resolver.js';
export type { CreateResolverEnv } from './create-resolver.js';
export { EndpointPublisher } from './endpoint-publisher.js';
