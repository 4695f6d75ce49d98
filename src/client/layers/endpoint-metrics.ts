import { Role, type Module } from '../../core/index.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';

/** Per-endpoint attempt counts and latency to response headers; a 5xx or an error is a failure. */
export const endpointMetrics: Module<EndpointParams, ClientEnv> = {
  role: Role.EndpointMetrics,
  description: 'attempts per endpoint by outcome',
  layer({ series }, { clock }) {
    return (next) =>
      function endpointMetrics(req: HttpRequest, ctx) {
        const started = clock.now();
        return next(req, ctx).then(
          (res: HttpResponse) => {
            (res.statusCode >= 500 ? series.failure : series.success).observe((clock.now() - started) / 1000);
            return res;
          },
          (err: unknown) => {
            series.failure.observe((clock.now() - started) / 1000);
            throw err;
          },
        );
      };
  },
};
