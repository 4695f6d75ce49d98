import type { Env } from '../core/index.js';
import type { AccessLogControl, MeshMetrics, MeshTracing, StatsWindows } from '../telemetry/index.js';
import type { DeadlineWheel } from '../resilience/index.js';
import type { WorkloadIdentity } from '../identity/index.js';
import type { ControlRegistry } from '../discovery/control/control-registry.js';

/** The client's environment: the core Env plus the metrics every stack records into and the shared deadline wheel. */
export interface ClientEnv extends Env {
  readonly metrics: MeshMetrics;
  /** One timer mechanism for every deadline, per-try timeout and hedge of the mesh. */
  readonly wheel: DeadlineWheel;
  /** This workload's identity: calls to mesh services (`tls: mesh`) go over mTLS with it. Absent: `identity.mode: none`. */
  readonly identity?: WorkloadIdentity;
  /** Spans and trace headers; absent when the OpenTelemetry API is not installed. */
  readonly tracing?: MeshTracing;
  /** The sliding windows of `mesh.stats()`; absent: no windowed figures (a stack built outside a mesh). */
  readonly stats?: StatsWindows;
  /** The access log in force; absent or off: no access-log module is installed. */
  readonly accessLog?: AccessLogControl;
  /** The control daemon's registry, for `discovery: { control: true }` destinations (mesh.yaml `control.url`). */
  readonly control?: ControlRegistry;
}
