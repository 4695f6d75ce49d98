import { Stack } from '../core/index.js';
import { clientMetrics } from './layers/client-metrics.js';
import { accessLogModule, attemptCountModule } from './layers/access-log-layer.js';
import { balance } from './layers/balance.js';
import { loadTracking } from './layers/load-tracking.js';
import { endpointMetrics } from './layers/endpoint-metrics.js';
import { mirror } from './layers/mirror.js';
import { loadReport } from './layers/load-report.js';
import { concurrencyModule, deadlineModule, faultModule, hedgeModule, perTryTimeoutModule, requeueModule, retryModule, serviceBreakerModule } from './layers/policy-modules.js';
import { breakerModule, outlierModule } from './layers/endpoint-policy-modules.js';
import { attemptTracing } from './layers/attempt-tracing.js';
import type { EndpointParams } from './http/http-endpoint.js';
import type { ClientEnv } from './client-env.js';
import type { ClientParams } from './client-params.js';

export type { ClientParams };


/**
 * The stack of each route, outermost first (the route itself is chosen before it, per call).
 * Each module's description says why it sits where it does.
 */
export const defaultClientStack: Stack<ClientParams, ClientEnv> = Stack.of<ClientParams, ClientEnv>(
  clientMetrics, // per logical call: outermost so it sees retries and the final error
  accessLogModule, // one line per sampled logical call, as the caller saw it; installed only while the access log is on
  deadlineModule, // the total budget: above retry so retries share it
  faultModule, // injected faults are not retried, as in Envoy
  mirror, // above retry: a call is shadowed once, however many attempts it takes
  concurrencyModule, // a logical call holds one slot, whatever its retries
  serviceBreakerModule, // the service-wide guard counts logical calls
  retryModule, // retries re-enter everything below, the balancer included
  hedgeModule, // hedged attempts race below retry, each on its own endpoint
  attemptCountModule, // counts the attempts of a logged call: below retry and hedge, above the re-sends of requeue
  perTryTimeoutModule, // per attempt, within the deadline
  requeueModule, // a request never processed is sent again, retries on or off
  balance, // innermost: every attempt picks an endpoint
);

/** The stack inside each endpoint, over its Pool (the transport leaf). */
export const defaultEndpointStack: Stack<EndpointParams, ClientEnv> = Stack.of<EndpointParams, ClientEnv>(
  attemptTracing, // a span per attempt, refused ones included, and the trace headers it sends
  breakerModule, // an open breaker rejects before anything below counts an attempt
  loadTracking, // latency as the balancer should see it
  endpointMetrics,
  loadReport, // the server's own load report, folded into the endpoint's cost
  outlierModule, // outcomes for outlier detection
);
