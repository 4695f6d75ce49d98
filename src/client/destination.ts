import type { BuiltStack, Stack } from '../core/index.js';
import type { DiscoveryConfig, RouteConfig, ServiceConfig } from '../config/types.js';
import { createResolver } from '../discovery/create-resolver.js';
import type { Resolver } from '../discovery/resolver.js';
import { EndpointSet } from '../balancer/endpoint-set.js';
import { HttpEndpoint, type EndpointParams } from './http/http-endpoint.js';
import type { HttpRequest, HttpResponse } from './http/http-types.js';
import type { ClientParams } from './default-stacks.js';
import type { ClientEnv } from './client-env.js';
import { SubsetPickers } from './routing/subset-pickers.js';
import { BackendSplit } from './routing/backend-split.js';
import { compileRouteMatch, type RequestPredicate } from './routing/route-matcher.js';
import { DestinationPolicy } from './destination-policy.js';
import type { EndpointTls } from './http/endpoint-connector.js';
import { serviceSpiffeId } from '../identity/index.js';
import type { MeshCallOptions } from './call-options.js';

export interface DestinationStacks {
  readonly client: Stack<ClientParams, ClientEnv>;
  readonly endpoint: Stack<EndpointParams, ClientEnv>;
}

/** One route of a destination: its match and the stack built for its policy. */
export interface RouteRuntime {
  readonly name: string;
  readonly matches: RequestPredicate;
  readonly stack: BuiltStack<HttpRequest, HttpResponse>;
  /** The stack for calls with per-call overrides (`retry: false`, …), built on first use and kept. */
  variant(key: string, overrides: MeshCallOptions): BuiltStack<HttpRequest, HttpResponse>;
}

/** Distinct override sets kept per route; beyond this the cache starts again (overrides are meant to be few). */
const MAX_VARIANTS = 32;

const DEFAULT_ROUTE = 'default';

/**
 * One service the workload calls. Endpoints (pools, EWMA and breaker state) and shared
 * policy state (retry budget, concurrency limit, outlier detection) live as long as the
 * service; a config change rebuilds the route stacks and swaps them in one assignment, so
 * calls in flight finish on the stacks they started with.
 */
export class Destination {
  readonly name: string;
  /** Matched in order per call; the last one is the default, which matches everything. */
  routes: readonly RouteRuntime[] = [];
  #cfg: ServiceConfig;
  #resolver: Resolver;
  #unsubscribe: () => void;
  #subsets: SubsetPickers<HttpEndpoint>;
  readonly #endpoints: EndpointSet<HttpEndpoint>;
  readonly #env: ClientEnv;
  readonly #stacks: DestinationStacks;
  readonly policy: DestinationPolicy;
  /** Fixed when the destination is made: a reload that changes `tls` reaches connections to new endpoints. */
  readonly #tls: EndpointTls | undefined;

  constructor(cfg: ServiceConfig, env: ClientEnv, stacks: DestinationStacks) {
    this.name = cfg.name;
    this.#tls = destinationTls(cfg, env);
    this.#cfg = cfg;
    this.#env = env;
    this.#stacks = stacks;
    this.policy = new DestinationPolicy(cfg, env);
    this.#endpoints = new EndpointSet<HttpEndpoint>(
      (spec) =>
        new HttpEndpoint({
          destination: this.name,
          authority: this.name,
          spec,
          connections: this.#cfg.connections,
          idleTimeout: this.#cfg.idleTimeout,
          decay: this.#cfg.loadBalancer.decay,
          stack: stacks.endpoint,
          env,
          policy: this.policy,
          ...(this.#tls && { tls: this.#tls }),
        }),
      (endpoints) => this.#endpointsChanged(endpoints),
      env.log,
    );
    this.#subsets = new SubsetPickers(this.#endpoints.endpoints, cfg.subsets, cfg.loadBalancer, env);
    this.#resolver = createResolver(cfg.discovery, env, cfg.name);
    this.#unsubscribe = this.#resolver.subscribe((specs) => this.#endpoints.update(specs));
    this.routes = this.#buildRoutes();
  }

  /** The SPIFFE ID its endpoints must prove (mTLS), else undefined. */
  get peerIdentity(): string | undefined {
    return this.#tls?.expected;
  }

  get config(): ServiceConfig {
    return this.#cfg;
  }

  get endpoints(): readonly HttpEndpoint[] {
    return this.#endpoints.endpoints;
  }

  /** The first route whose match accepts the request. */
  route(req: HttpRequest): RouteRuntime {
    const routes = this.routes;
    for (let i = 0; i < routes.length - 1; i++) if (routes[i]!.matches(req)) return routes[i]!;
    return routes[routes.length - 1]!;
  }

  ready(): Promise<void> {
    return this.#resolver.ready();
  }

  /** Applies a changed ServiceConfig: a new resolver only if discovery changed; new pickers and route stacks always. */
  reconfigure(cfg: ServiceConfig): void {
    const discoveryChanged = !sameDiscovery(this.#cfg.discovery, cfg.discovery);
    this.#cfg = cfg;
    this.policy.reconfigure(cfg);
    for (const e of this.#endpoints.endpoints) e.setIdleTimeout(cfg.idleTimeout);
    if (discoveryChanged) {
      const old = this.#resolver;
      const oldUnsubscribe = this.#unsubscribe;
      this.#resolver = createResolver(cfg.discovery, this.#env, cfg.name);
      this.#unsubscribe = this.#resolver.subscribe((specs) => this.#endpoints.update(specs));
      oldUnsubscribe();
      old.close();
    }
    this.#subsets = new SubsetPickers(this.#endpoints.endpoints, cfg.subsets, cfg.loadBalancer, this.#env);
    this.routes = this.#buildRoutes();
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    this.#resolver.close();
    this.policy.close();
    await this.#endpoints.close();
  }

  #endpointsChanged(endpoints: readonly HttpEndpoint[]): void {
    this.#subsets = new SubsetPickers(endpoints, this.#cfg.subsets, this.#cfg.loadBalancer, this.#env);
    this.policy.endpointsChanged(endpoints.map((e) => e.address));
  }

  #buildRoutes(): RouteRuntime[] {
    const cfg = this.#cfg;
    const picker = (subset: string | undefined) => this.#subsets.get(subset);
    const build = (route: RouteConfig | undefined, name: string, overrides?: MeshCallOptions): BuiltStack<HttpRequest, HttpResponse> => {
      const params: ClientParams = {
        overrides,
        name: this.name,
        routeName: name,
        service: cfg,
        route,
        loadBalancer: cfg.loadBalancer,
        split: new BackendSplit(route?.backends ?? [{ subset: undefined, weight: 100 }]),
        picker,
        mirror: route?.mirror,
        series: this.#env.metrics.callSeries(this.name, name),
        window: this.#env.stats?.outbound(this.name, name),
        policy: this.policy,
      };
      return this.#stacks.client.buildWithOuterTap(params, this.#env, unreachable);
    };
    const runtime = (route: RouteConfig | undefined, name: string, matches: RequestPredicate): RouteRuntime => {
      const variants = new Map<string, BuiltStack<HttpRequest, HttpResponse>>();
      const stack = build(route, name);
      return {
        name,
        matches,
        stack,
        variant(key, overrides) {
          if (key === '') return stack;
          let v = variants.get(key);
          if (!v) {
            if (variants.size >= MAX_VARIANTS) variants.clear();
            variants.set(key, (v = build(route, name, overrides)));
          }
          return v;
        },
      };
    };
    const routes = cfg.routes.map((r) => runtime(r, r.name, compileRouteMatch(r.match)));
    routes.push(runtime(undefined, DEFAULT_ROUTE, () => true));
    return routes;
  }
}

function sameDiscovery(a: DiscoveryConfig, b: DiscoveryConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The leaf below `balance`, which never calls it. */
function unreachable(): Promise<never> {
  return Promise.reject(new Error('client stack has no balance module'));
}

/** mTLS to a mesh service while this workload has an identity; the service proves `spiffe://<td>/svc/<name>`. */
function destinationTls(cfg: ServiceConfig, env: ClientEnv): EndpointTls | undefined {
  const identity = env.identity;
  if (cfg.tls !== 'mesh' || identity === undefined) return undefined;
  const failures = env.metrics.peerIdentityFailures;
  return {
    identity,
    expected: serviceSpiffeId(identity.trustDomain, cfg.name).toString(),
    service: cfg.name,
    http2: cfg.http2,
    onRefused: (reason) => failures.inc({ destination_service: cfg.name, reason }),
  };
}
