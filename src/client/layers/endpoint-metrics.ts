import { Role, type TapModule } from '../../core/index.js';
import type { HttpResponse } from '../http/http-types.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';

/** Per-endpoint attempt counts and latency to response headers; a 5xx or an error is a failure. */
export const endpointMetrics: TapModule<EndpointParams, ClientEnv> = {
  role: Role.EndpointMetrics,
  description: 'attempts per endpoint by outcome',
  tap({ series }) {
    return {
      response(res: HttpResponse, _ctx, startedAt, now) {
        (res.statusCode >= 500 ? series.failure : series.success).observe((now - startedAt) / 1000);
      },
      error(_err, _ctx, startedAt, now) {
        series.failure.observe((now - startedAt) / 1000);
      },
    };
  },
};
