import { Stack } from '../core/index.js';
import type { ServiceConfig } from '../config/types.js';
import type { CallSeries } from '../telemetry/index.js';
import { clientMetrics } from './layers/client-metrics.js';
import { balance, type BalanceParams } from './layers/balance.js';
import { loadTracking } from './layers/load-tracking.js';
import { endpointMetrics } from './layers/endpoint-metrics.js';
import type { EndpointParams } from './http/http-endpoint.js';
import type { ClientEnv } from './client-env.js';

/** What client-stack modules may read: the destination's config and its runtime handles. */
export interface ClientParams extends BalanceParams {
  readonly service: ServiceConfig;
  readonly series: CallSeries;
}

/**
 * The client stack, outermost first. Each module's position is explained in its description;
 * resilience modules (deadline, router, retry, per-try timeout) join between metrics and balance.
 */
export const defaultClientStack: Stack<ClientParams, ClientEnv> = Stack.of<ClientParams, ClientEnv>(
  clientMetrics, // per logical call: outermost so it sees retries and the final error
  balance, // innermost: every attempt picks an endpoint
);

/** The stack inside each endpoint, over its Pool (the transport leaf). */
export const defaultEndpointStack: Stack<EndpointParams, ClientEnv> = Stack.of<EndpointParams, ClientEnv>(
  loadTracking, // outermost of the endpoint: latency as the balancer should see it
  endpointMetrics,
);
