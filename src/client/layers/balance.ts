import { NoHealthyEndpointsError, Role, type Module } from '../../core/index.js';
import type { BalancerConfig } from '../../config/types.js';
import type { Picker } from '../../balancer/picker.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import type { HttpEndpoint } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';
import { headerValue } from '../http/header-value.js';

export interface BalanceParams {
  readonly name: string;
  readonly loadBalancer: BalancerConfig;
  /** The current picker; read per call, since discovery replaces it between calls. */
  readonly picker: () => Picker<HttpEndpoint>;
}

/**
 * Hands each call (each attempt, below retry) to one endpoint chosen from the current picker.
 * It is the innermost client module: it ignores `next` and calls the endpoint's own stack.
 */
export const balance: Module<BalanceParams, ClientEnv> = {
  role: Role.Balance,
  description: 'picks an endpoint per attempt; innermost, so each retry may pick another endpoint',
  layer({ name, loadBalancer, picker }) {
    const hashHeader = loadBalancer.kind === 'ring-hash' ? (loadBalancer.hashHeader?.toLowerCase() ?? null) : undefined;
    return () =>
      function balance(req: HttpRequest, ctx): Promise<HttpResponse> {
        const p = picker();
        const key = hashHeader === undefined ? undefined : hashHeader === null ? req.opts.path : (headerValue(req.opts.headers, hashHeader) ?? req.opts.path);
        const endpoint = p.pick(key);
        if (!endpoint) return Promise.reject(new NoHealthyEndpointsError(name, p.endpoints.length ? 'no endpoint is open' : 'no endpoints'));
        return endpoint.call(req, ctx);
      };
  },
};
