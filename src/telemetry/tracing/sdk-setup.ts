import { createRequire } from 'node:module';
import { MeshError, type Logger } from '../../core/index.js';
import type { TelemetryConfig } from '../../config/types.js';
import type { OtelApi } from './otel-api.js';

type SdkNode = typeof import('@opentelemetry/sdk-trace-node');
type Sampler = import('@opentelemetry/sdk-trace-node').Sampler;
type SpanExporter = import('@opentelemetry/sdk-trace-node').SpanExporter;
type TracerProvider = import('@opentelemetry/api').TracerProvider;

/** A tracer provider inmesh made because mesh.yaml asked for an exporter. */
export interface OwnedTracerProvider {
  readonly provider: TracerProvider;
  /** Follows `sampleRatio` on config reloads. */
  setSampleRatio(ratio: number): void;
  /** Exports what is buffered and stops; unregisters it globally if this mesh registered it. */
  shutdown(): Promise<void>;
}

type Exporter = Exclude<TelemetryConfig['tracing']['exporter'], 'none'>;

const EXPORTER_PACKAGE: Record<Exclude<Exporter, 'console'>, string> = {
  otlp: '@opentelemetry/exporter-trace-otlp-http',
  zipkin: '@opentelemetry/exporter-zipkin',
};

/**
 * Sets up `@opentelemetry/sdk-trace-node` as mesh.yaml's `telemetry.tracing` says: the exporter,
 * a batch processor and a parent-based ratio sampler, with `service.name` this workload's
 * service. Registered as the global provider only if nothing holds that place, so a second mesh
 * in the process (or the application's own SDK) keeps what is there; its spans still go to
 * this provider's exporter. Each package is loaded here, on demand, so a service that does not
 * trace installs none of them; a missing one is a config error naming the package.
 */
export function setUpTracerProvider(api: OtelApi, service: string, cfg: TelemetryConfig['tracing'], log: Logger): OwnedTracerProvider {
  const exporterKind = cfg.exporter as Exporter;
  const require = createRequire(import.meta.url);
  const sdk = loadTracingPackage<SdkNode>(require, '@opentelemetry/sdk-trace-node', exporterKind);
  // resources comes with the SDK: resolved from the SDK's own folder, it needs no install of its own.
  const fromSdk = createRequire(require.resolve('@opentelemetry/sdk-trace-node'));
  const { resourceFromAttributes } = loadTracingPackage<typeof import('@opentelemetry/resources')>(fromSdk, '@opentelemetry/resources', exporterKind);
  const exporter = makeExporter(require, sdk, exporterKind, cfg.endpoint);

  let sampler = ratioSampler(sdk, cfg.sampleRatio);
  const following: Sampler = {
    shouldSample: (...args) => sampler.shouldSample(...args),
    toString: () => sampler.toString(),
  };
  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    sampler: following,
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  const delegate = (api.trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.();
  const free = delegate === undefined || delegate === new api.ProxyTracerProvider().getDelegate();
  if (free) provider.register();
  else log.debug('a tracer provider is already registered: this mesh exports through its own without replacing it', { service });
  return {
    provider,
    setSampleRatio(ratio) {
      sampler = ratioSampler(sdk, ratio);
    },
    async shutdown() {
      await provider.shutdown();
      if (free && (api.trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.() === provider) {
        api.trace.disable();
        api.context.disable();
        api.propagation.disable();
      }
    },
  };
}

function ratioSampler(sdk: SdkNode, ratio: number): Sampler {
  return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) });
}

function makeExporter(require: NodeJS.Require, sdk: SdkNode, kind: Exporter, endpoint: string | undefined): SpanExporter {
  if (kind === 'console') return new sdk.ConsoleSpanExporter();
  if (kind === 'otlp') {
    const { OTLPTraceExporter } = loadTracingPackage<typeof import('@opentelemetry/exporter-trace-otlp-http')>(require, EXPORTER_PACKAGE.otlp, kind);
    return new OTLPTraceExporter(endpoint === undefined ? {} : { url: withPath(endpoint, '/v1/traces') });
  }
  const { ZipkinExporter } = loadTracingPackage<typeof import('@opentelemetry/exporter-zipkin')>(require, EXPORTER_PACKAGE.zipkin, kind);
  return new ZipkinExporter(endpoint === undefined ? {} : { url: withPath(endpoint, '/api/v2/spans') });
}

/**
 * The endpoint is a collector's base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` is: the signal's path
 * is added unless the URL already has a path of its own.
 */
export function withPath(endpoint: string, path: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') url.pathname = path;
  return url.toString();
}

/** Requires a tracing package; a missing one is a config error naming every package the exporter needs. */
export function loadTracingPackage<T>(require: NodeJS.Require, name: string, exporter: Exporter): T {
  try {
    return require(name) as T;
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
    const needed = ['@opentelemetry/api', '@opentelemetry/sdk-trace-node', ...(exporter === 'console' ? [] : [EXPORTER_PACKAGE[exporter]])];
    throw new MeshError('MESH_ERR_CONFIG_INVALID', `telemetry.tracing.exporter: ${exporter} needs ${name}, which is not installed: npm install ${needed.join(' ')}`, { cause: err });
  }
}
