import type { RouteConfig, ServiceConfig } from '../config/types.js';
import type { CallSeries, SlidingWindow } from '../telemetry/index.js';
import type { BalanceParams } from './layers/balance.js';
import type { MirrorParams } from './layers/mirror.js';
import type { DestinationPolicy } from './destination-policy.js';
import type { MeshCallOptions } from './call-options.js';

/** What client-stack modules may read: the destination's and route's config and their runtime handles. */
export interface ClientParams extends BalanceParams, MirrorParams {
  readonly service: ServiceConfig;
  /** The route this stack serves; undefined for the default route (service-level policy only). */
  readonly route: RouteConfig | undefined;
  readonly routeName: string;
  readonly series: CallSeries;
  /** The route's sliding window for `mesh.stats()`, fed beside `series`. */
  readonly window?: SlidingWindow | undefined;
  readonly policy: DestinationPolicy;
  /** Per-call overrides this stack variant was built for. */
  readonly overrides: MeshCallOptions | undefined;
}
