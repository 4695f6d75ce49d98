import { MeshHeaders, parseLoadReport, Role, type TapModule } from '../../core/index.js';
import type { HttpResponse } from '../http/http-types.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';
import { retryAfterMs } from '../http/http-retry-policy.js';

/**
 * Reads what a server says of its own load: the `inmesh-load` report a server wrapped by inmesh
 * puts on its responses (its event-loop utilisation raises the endpoint's balancer cost, so a
 * busy or blocked Node instance gets less traffic before its latency shows it), and a 429 or
 * 503 with `retry-after`, which adds that wait to the endpoint's latency estimate so the
 * balancer prefers others meanwhile.
 */
export const loadReport: TapModule<EndpointParams, ClientEnv> = {
  role: Role.LoadReport,
  description: "folds the server's reported event-loop utilisation into the endpoint's cost",
  tap({ reportLoad, ewma }) {
    return {
      response(res: HttpResponse, _ctx, _startedAt, now) {
        const status = res.statusCode;
        if (status === 429 || status === 503) {
          const wait = retryAfterMs(res.header('retry-after'));
          if (wait !== undefined && wait > 0) ewma.penalize(wait);
        }
        // An invalid report is ignored whole: only a valid one moves the cost.
        const elu = parseLoadReport(res.header(MeshHeaders.load))?.elu;
        if (elu !== undefined) reportLoad(elu, now);
      },
      error() {},
    };
  },
};
