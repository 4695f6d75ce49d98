import { Role, type LayerModule, type TapModule } from '../../core/index.js';
import { outlierTap } from '../../resilience/index.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';

/** The endpoint's circuit breaker; while it is open the endpoint reports `busy` and the balancer passes it by. */
export const breakerModule: LayerModule<EndpointParams, ClientEnv> = {
  role: Role.Breaker,
  description: 'per-endpoint breaker (opossum, timeout: false: deadlines own time); outermost of the endpoint, so an open breaker costs nothing below',
  layer(p) {
    const cfg = p.policy.config.circuitBreaker;
    if (!cfg) return undefined;
    const b = p.policy.newBreaker(cfg, p.spec.address);
    p.setBreaker(b);
    return (next) =>
      function breaker(req: HttpRequest, ctx) {
        return b.call(next, req, ctx);
      };
  },
};

/** Reports each attempt's outcome to the destination's outlier detector (a 5xx or a failure counts against the endpoint). */
export const outlierModule: TapModule<EndpointParams, ClientEnv> = {
  role: Role.Outlier,
  description: 'feeds outlier detection, which ejects endpoints that fail more than their peers',
  tap(p) {
    const detector = p.policy.outlier;
    if (!detector) return undefined;
    return outlierTap<HttpRequest, HttpResponse>(detector, { host: p.spec.address, classify: (res) => (res.statusCode >= 500 ? 'failure' : 'success') });
  },
};
