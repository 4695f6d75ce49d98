import type { BuiltStack, Stack } from '../core/index.js';
import type { DiscoveryConfig, ServiceConfig } from '../config/types.js';
import { createResolver } from '../discovery/create-resolver.js';
import type { Resolver } from '../discovery/resolver.js';
import { EndpointSet } from '../balancer/endpoint-set.js';
import { createPicker } from '../balancer/create-picker.js';
import type { Picker } from '../balancer/picker.js';
import { HttpEndpoint, type EndpointParams } from './http/http-endpoint.js';
import type { HttpRequest, HttpResponse } from './http/http-types.js';
import type { ClientParams } from './default-stacks.js';
import type { ClientEnv } from './client-env.js';

export interface DestinationStacks {
  readonly client: Stack<ClientParams, ClientEnv>;
  readonly endpoint: Stack<EndpointParams, ClientEnv>;
}

/**
 * One service the workload calls. Endpoints (pools, EWMA state) live as long as the service
 * does; a config change rebuilds only the policy stack and swaps it in one assignment, so
 * calls in flight finish on the stack they started with.
 */
export class Destination {
  readonly name: string;
  /**
   * The current client stack, read once per call: the service and its outermost taps (client
   * metrics), which the dispatcher runs on the continuation it has anyway.
   */
  stack: BuiltStack<HttpRequest, HttpResponse>;
  #cfg: ServiceConfig;
  #resolver: Resolver;
  #unsubscribe: () => void;
  #picker: Picker<HttpEndpoint>;
  readonly #endpoints: EndpointSet<HttpEndpoint>;
  readonly #env: ClientEnv;
  readonly #stacks: DestinationStacks;

  constructor(cfg: ServiceConfig, env: ClientEnv, stacks: DestinationStacks) {
    this.name = cfg.name;
    this.#cfg = cfg;
    this.#env = env;
    this.#stacks = stacks;
    this.#endpoints = new EndpointSet<HttpEndpoint>(
      (spec) =>
        new HttpEndpoint({
          destination: this.name,
          authority: this.name,
          spec,
          connections: this.#cfg.connections,
          decay: this.#cfg.loadBalancer.decay,
          stack: stacks.endpoint,
          env,
        }),
      (endpoints) => {
        this.#picker = createPicker(this.#cfg.loadBalancer, endpoints, env);
      },
    );
    this.#picker = createPicker(cfg.loadBalancer, this.#endpoints.endpoints, env);
    this.#resolver = createResolver(cfg.discovery, env);
    this.#unsubscribe = this.#resolver.subscribe((specs) => this.#endpoints.update(specs));
    this.stack = this.#build();
  }

  get config(): ServiceConfig {
    return this.#cfg;
  }

  get endpoints(): readonly HttpEndpoint[] {
    return this.#endpoints.endpoints;
  }

  ready(): Promise<void> {
    return this.#resolver.ready();
  }

  /** Applies a changed ServiceConfig: a new resolver only if discovery changed, a new picker and stack always. */
  reconfigure(cfg: ServiceConfig): void {
    const discoveryChanged = !sameDiscovery(this.#cfg.discovery, cfg.discovery);
    this.#cfg = cfg;
    if (discoveryChanged) {
      const old = this.#resolver;
      const oldUnsubscribe = this.#unsubscribe;
      this.#resolver = createResolver(cfg.discovery, this.#env);
      this.#unsubscribe = this.#resolver.subscribe((specs) => this.#endpoints.update(specs));
      oldUnsubscribe();
      old.close();
    }
    this.#picker = createPicker(cfg.loadBalancer, this.#endpoints.endpoints, this.#env);
    this.stack = this.#build();
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    this.#resolver.close();
    await this.#endpoints.close();
  }

  #build(): BuiltStack<HttpRequest, HttpResponse> {
    const params: ClientParams = {
      name: this.name,
      service: this.#cfg,
      loadBalancer: this.#cfg.loadBalancer,
      picker: () => this.#picker,
      series: this.#env.metrics.callSeries(this.name, 'default'),
    };
    return this.#stacks.client.buildWithOuterTap(params, this.#env, unreachable);
  }
}

function sameDiscovery(a: DiscoveryConfig, b: DiscoveryConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The leaf below `balance`, which never calls it. */
function unreachable(): Promise<never> {
  return Promise.reject(new Error('client stack has no balance module'));
}
