/**
 * The demo's tracing: when the OpenTelemetry SDK is installed, a tracer provider of the demo's own
 * (the application's, as far as the mesh knows) records one call across the workloads, so the
 * demo can show its trace; the load that follows is not sampled. Without the SDK, undefined.
 */
export interface DemoTracing {
  /** Runs `fn` inside a sampled span; returns its value, the trace id and the spans each service recorded. */
  traced<T>(fn: () => Promise<T>): Promise<{ value: T; traceId: string; spans: number; services: string[] }>;
  close(): Promise<void>;
}

export async function startDemoTracing(): Promise<DemoTracing | undefined> {
  let api: typeof import('@opentelemetry/api');
  let sdk: typeof import('@opentelemetry/sdk-trace-node');
  try {
    api = await import('@opentelemetry/api');
    sdk = await import('@opentelemetry/sdk-trace-node');
  } catch {
    return undefined;
  }
  let sampling = false;
  const sampler = {
    shouldSample: () => ({ decision: sampling ? sdk.SamplingDecision.RECORD_AND_SAMPLED : sdk.SamplingDecision.NOT_RECORD }),
    toString: () => 'demo: the traced call only',
  };
  const exporter = new sdk.InMemorySpanExporter();
  const provider = new sdk.NodeTracerProvider({ sampler, spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] });
  provider.register();
  return {
    async traced(fn) {
      sampling = true;
      const tracer = api.trace.getTracer('inmesh-demo');
      let traceId = '';
      const value = await tracer.startActiveSpan('demo call', async (span) => {
        traceId = span.spanContext().traceId;
        try {
          return await fn();
        } finally {
          span.end();
          sampling = false;
        }
      });
      // Server spans end when their responses have gone; give the last one a moment.
      await new Promise((r) => setTimeout(r, 50));
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      // Callers first, then those only called: the path the call took.
      const services = new Set<string>();
      for (const k of ['inmesh.source.service', 'inmesh.destination.service']) for (const s of spans) if (typeof s.attributes[k] === 'string') services.add(s.attributes[k]);
      return { value, traceId, spans: spans.length, services: [...services] };
    },
    async close() {
      await provider.shutdown();
      api.trace.disable();
      api.context.disable();
      api.propagation.disable();
    },
  };
}
