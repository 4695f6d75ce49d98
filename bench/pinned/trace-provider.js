// The tracer provider of the tracing cases (bench/tracing.js): the SDK's NodeTracerProvider with
// a parent-based ratio sampler and a batch processor over an exporter that discards, so what is
// measured is the mesh and the SDK, not a collector. `contextManager`: also register the SDK
// globally (NodeTracerProvider.register, as an application that traces does and as mesh.yaml's
// exporter does), which installs the AsyncLocalStorage context manager; without it the provider
// is only passed to createMesh and context.with is the API's no-op.
// The SDK is imported only when a provider is made: the other kinds and modes load nothing more.

/** Counts what it is given and drops it: export succeeds at once. */
export class DiscardingExporter {
  spans = 0;
  export(spans, cb) {
    this.spans += spans.length;
    cb({ code: 0 });
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

/**
 * The client kinds and server modes that trace: `mesh-trace0` / `mesh-trace1` (ratio 0 / 1),
 * with `-als` for the registered context manager. Undefined for any other name.
 */
export function traceSpecOf(name) {
  const m = /^mesh-trace([01])(-als)?$/.exec(name ?? '');
  return m ? { ratio: Number(m[1]), contextManager: m[2] !== undefined } : undefined;
}

export async function makeTracerProvider({ ratio, contextManager = false }) {
  const { default: sdk } = await import('@opentelemetry/sdk-trace-node');
  const { NodeTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk;
  const exporter = new DiscardingExporter();
  const provider = new NodeTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // The propagator stays the API's no-op: the mesh writes and reads trace headers itself.
  if (contextManager) provider.register({ propagator: null });
  return { provider, exporter };
}
