import type { Env } from '../core/index.js';
import type { MeshMetrics } from '../telemetry/index.js';

/** The client's environment: the core Env plus the metrics every stack records into. */
export interface ClientEnv extends Env {
  readonly metrics: MeshMetrics;
}
