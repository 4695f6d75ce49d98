import { NoHealthyEndpointsError, Role, type CallContext, type LayerModule } from '../../core/index.js';
import type { BalancerConfig } from '../../config/types.js';
import type { Picker } from '../../balancer/picker.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import type { HttpEndpoint } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';
import { headerValue } from '../http/header-value.js';
import type { BackendSplit } from '../routing/backend-split.js';

export interface BalanceParams {
  readonly name: string;
  readonly loadBalancer: BalancerConfig;
  /** The route's backends by weight. */
  readonly split: BackendSplit;
  /** The current picker of a subset; read per call, since discovery replaces pickers between calls. */
  readonly picker: (subset: string | undefined) => Picker<HttpEndpoint>;
}

/** Another pick when the first is the endpoint a retry should avoid; P2C and ring-hash may pick it again, so only twice. */
function pickAvoiding(p: Picker<HttpEndpoint>, key: string | undefined, ctx: CallContext): HttpEndpoint | undefined {
  const first = p.pick(key);
  if (!first || ctx.avoid === undefined || first.address !== ctx.avoid || p.endpoints.length < 2) return first;
  const second = p.pick(key);
  if (second && second.address !== ctx.avoid) return second;
  for (const e of p.endpoints) if (e.address !== ctx.avoid && e.status() === 'open') return e;
  return first;
}

/**
 * Hands each attempt to one endpoint: a backend by weight, then an endpoint of its subset.
 * Innermost of the client stack, so each retry or hedge picks again (and avoids the endpoint
 * that just failed where another exists). It ignores `next` and calls the endpoint's own stack.
 */
export const balance: LayerModule<BalanceParams, ClientEnv> = {
  role: Role.Balance,
  description: 'picks an endpoint per attempt; innermost, so each retry may pick another endpoint',
  layer({ name, loadBalancer, split, picker }, { random }) {
    const hashHeader = loadBalancer.kind === 'ring-hash' ? (loadBalancer.hashHeader?.toLowerCase() ?? null) : undefined;
    const single = split.backends.length === 1 ? split.backends[0]!.subset : undefined;
    const isSingle = split.backends.length === 1;
    return () =>
      function balance(req: HttpRequest, ctx): Promise<HttpResponse> {
        const p = picker(isSingle ? single : split.pick(random).subset);
        const key = hashHeader === undefined ? undefined : hashHeader === null ? req.opts.path : (headerValue(req.opts.headers, hashHeader) ?? req.opts.path);
        const endpoint = pickAvoiding(p, key, ctx);
        if (!endpoint) return Promise.reject(new NoHealthyEndpointsError(name, p.endpoints.length ? 'no endpoint is open' : 'no endpoints'));
        return endpoint.call(req, ctx);
      };
  },
};
