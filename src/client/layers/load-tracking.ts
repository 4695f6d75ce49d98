import { Role, type TapModule } from '../../core/index.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';

/**
 * Feeds the endpoint's peak-EWMA: a call is pending from dispatch until its response headers
 * (or failure), as in Linkerd's balancer. The sample is that latency divided by the calls in
 * flight on the endpoint when it completes: the balancer's cost multiplies the estimate by
 * (pending + 1), and a raw latency that already includes the queue our own calls made would
 * count that queue twice. Measured with one of four endpoints 10× slower (bench/resilience),
 * raw samples kept the slow endpoint busy (p99 2.9–3.1× the healthy p99); per-call samples
 * keep it to under 1% of calls (1.2–1.5×, and 1.05× where servers only wait).
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
        const inFlight = ewma.pending;
        ewma.exit();
        ewma.observe((now - startedAt) / Math.max(1, inFlight), now);
      },
      error(_err, _ctx, startedAt, now) {
        ewma.end(startedAt, now);
      },
    };
  },
};
