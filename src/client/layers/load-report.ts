import { MeshHeaders, parseLoadReport, Role, type TapModule } from '../../core/index.js';
import type { HttpResponse } from '../http/http-types.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';

/**
 * Reads the `inmesh-load` report a server wrapped by inmesh puts on its responses and hands
 * its event-loop utilisation to the endpoint, whose balancer cost rises with it, so a busy or
 * blocked Node instance gets less traffic before its latency shows it.
 */
export const loadReport: TapModule<EndpointParams, ClientEnv> = {
  role: Role.LoadReport,
  description: "folds the server's reported event-loop utilisation into the endpoint's cost",
  tap({ reportLoad }) {
    return {
      response(res: HttpResponse, _ctx, _startedAt, now) {
        const value = res.header(MeshHeaders.load);
        if (value === undefined) return;
        const { elu } = parseLoadReport(value);
        if (elu !== undefined) reportLoad(elu, now);
      },
      error() {},
    };
  },
};
