import { Role, type Module } from '../../core/index.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';

/**
 * Feeds the endpoint's peak-EWMA: a call is pending from dispatch until its response headers
 * (or failure), as in Linkerd's balancer; that latency is the sample.
 */
export const loadTracking: Module<EndpointParams, ClientEnv> = {
  role: Role.LoadTracking,
  description: 'peak-EWMA latency and pending count for the balancer',
  layer({ ewma }) {
    return (next) =>
      function loadTracking(req: HttpRequest, ctx) {
        const started = ewma.start();
        return next(req, ctx).then(
          (res: HttpResponse) => {
            ewma.end(started);
            return res;
          },
          (err: unknown) => {
            ewma.end(started);
            throw err;
          },
        );
      };
  },
};
