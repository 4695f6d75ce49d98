import { Stack } from '../core/index.js';
import type { RouteConfig, ServiceConfig } from '../config/types.js';
import type { CallSeries } from '../telemetry/index.js';
import { clientMetrics } from './layers/client-metrics.js';
import { balance, type BalanceParams } from './layers/balance.js';
import { loadTracking } from './layers/load-tracking.js';
import { endpointMetrics } from './layers/endpoint-metrics.js';
import { mirror, type MirrorParams } from './layers/mirror.js';
import { loadReport } from './layers/load-report.js';
import type { DestinationPolicy } from './destination-policy.js';
import type { MeshCallOptions } from './call-options.js';
import type { EndpointParams } from './http/http-endpoint.js';
import type { ClientEnv } from './client-env.js';

/** What client-stack modules may read: the destination's and route's config and their runtime handles. */
export interface ClientParams extends BalanceParams, MirrorParams {
  readonly service: ServiceConfig;
  /** The route this stack serves; undefined for the default route (service-level policy only). */
  readonly route: RouteConfig | undefined;
  readonly routeName: string;
  readonly series: CallSeries;
  readonly policy: DestinationPolicy;
  /** Per-call overrides this stack variant was built for. */
  readonly overrides: MeshCallOptions | undefined;
}

/**
 * The client stack, outermost first. Each module's position is explained in its description;
 * resilience modules (deadline, router, retry, per-try timeout) join between metrics and balance.
 */
export const defaultClientStack: Stack<ClientParams, ClientEnv> = Stack.of<ClientParams, ClientEnv>(
  clientMetrics, // per logical call: outermost so it sees retries and the final error
  mirror, // above retry: a call is shadowed once, however many attempts it takes
  balance, // innermost: every attempt picks an endpoint
);

/** The stack inside each endpoint, over its Pool (the transport leaf). */
export const defaultEndpointStack: Stack<EndpointParams, ClientEnv> = Stack.of<EndpointParams, ClientEnv>(
  loadTracking, // outermost of the endpoint: latency as the balancer should see it
  endpointMetrics,
  loadReport, // the server's own load report, folded into the endpoint's cost
);
