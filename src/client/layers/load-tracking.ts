import { Role, type TapModule } from '../../core/index.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';

/**
 * Feeds the endpoint's peak-EWMA: a call is pending from dispatch until its response headers
 * (or failure), as in Linkerd's balancer; that latency is the sample.
 */
export const loadTracking: TapModule<EndpointParams, ClientEnv> = {
  role: Role.LoadTracking,
  description: 'peak-EWMA latency and pending count for the balancer',
  tap({ ewma }) {
    return {
      start() {
        ewma.enter();
      },
      response(_res, _ctx, startedAt, now) {
        ewma.end(startedAt, now);
      },
      error(_err, _ctx, startedAt, now) {
        ewma.end(startedAt, now);
      },
    };
  },
};
