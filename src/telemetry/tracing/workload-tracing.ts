import type { Clock, Logger } from '../../core/index.js';
import type { TelemetryConfig } from '../../config/types.js';
import { loadOtelApi } from './otel-api.js';
import { MeshTracing } from './mesh-tracing.js';
import { setUpTracerProvider, type OwnedTracerProvider } from './sdk-setup.js';

/** The smallest view of an OpenTelemetry TracerProvider, so the public types need no tracing package. */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): unknown;
}

export interface WorkloadTracing {
  readonly tracing: MeshTracing;
  /** A new telemetry block: propagators and the sampling ratio follow; a new exporter waits for a restart. */
  apply(cfg: TelemetryConfig): void;
  shutdown(): Promise<void>;
}

export interface WorkloadTracingOptions {
  readonly service: string;
  readonly config: TelemetryConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** The application's provider for this mesh alone (wins over mesh.yaml's exporter). */
  readonly provider?: TracerProviderLike;
}

/**
 * A workload's tracing, or undefined when `@opentelemetry/api` is not installed. Which provider:
 * one given to createMesh; else one the application registered globally (it wins over mesh.yaml);
 * else, when mesh.yaml names an exporter, the SDK set up here; else none until the application
 * registers one.
 */
export function startWorkloadTracing(o: WorkloadTracingOptions): WorkloadTracing | undefined {
  const api = loadOtelApi();
  const tracingCfg = o.config.tracing;
  if (api === undefined) {
    if (tracingCfg.exporter !== 'none') {
      o.log.warn(`telemetry.tracing.exporter is ${tracingCfg.exporter} but @opentelemetry/api is not installed: no spans (npm install @opentelemetry/api @opentelemetry/sdk-trace-node)`, {});
    }
    return undefined;
  }
  const global = api.trace.getTracerProvider() as { getDelegate?: () => unknown };
  const appRegistered = global.getDelegate !== undefined && global.getDelegate() !== new api.ProxyTracerProvider().getDelegate();
  let owned: OwnedTracerProvider | undefined;
  if (o.provider === undefined && !appRegistered && tracingCfg.exporter !== 'none') owned = setUpTracerProvider(api, o.service, tracingCfg, o.log);
  const provider = (o.provider ?? owned?.provider) as import('@opentelemetry/api').TracerProvider | undefined;
  const tracing = new MeshTracing({ api, clock: o.clock, propagators: tracingCfg.propagators, ...(provider && { provider }) });
  let exporter = tracingCfg.exporter;
  return {
    tracing,
    apply(cfg) {
      tracing.setPropagators(cfg.tracing.propagators);
      owned?.setSampleRatio(cfg.tracing.sampleRatio);
      if (cfg.tracing.exporter !== exporter) {
        exporter = cfg.tracing.exporter;
        o.log.warn('telemetry.tracing.exporter changed: the new exporter takes effect when the workload restarts', { exporter });
      }
    },
    shutdown: async () => {
      await owned?.shutdown();
    },
  };
}
