import type { Clock } from '../../core/index.js';
import type { TracePropagatorName } from '../../config/types.js';
import { createPropagation, type BaggageEntry, type HeaderGetter, type HeaderSetter, type Propagation, type PropagatedSpan } from '../propagation/index.js';
import type { OtelApi } from './otel-api.js';
import type { TraceRef } from '../mesh-metrics.js';

type Context = import('@opentelemetry/api').Context;
type Tracer = import('@opentelemetry/api').Tracer;
type TracerProvider = import('@opentelemetry/api').TracerProvider;

/** How often a mesh without a provider of its own looks again for one the application registered. */
const GLOBAL_RECHECK_MS = 1000;
const TRACER_NAME = 'inmesh';


export interface MeshTracingOptions {
  readonly api: OtelApi;
  readonly clock: Clock;
  readonly propagators: readonly TracePropagatorName[];
  /** A provider this mesh uses (the one it set up, or one given to createMesh); absent: the global one, if the application registered any. */
  readonly provider?: TracerProvider;
}

/**
 * A workload's tracing: which tracer spans come from, and the trace headers it reads and writes.
 * Tracing is on when the mesh has a provider of its own or the application registered one
 * globally (looked up again every second, so an SDK started after the mesh is picked up); while
 * it is off the mesh reads and writes no trace headers and starts no spans.
 */
export class MeshTracing {
  readonly api: OtelApi;
  #propagation: Propagation;
  #fields: ReadonlySet<string>;
  readonly #clock: Clock;
  readonly #own: Tracer | undefined;
  #global: Tracer | undefined;
  #checkedAt = -Infinity;
  readonly #noopDelegate: unknown;

  constructor(o: MeshTracingOptions) {
    this.api = o.api;
    this.#clock = o.clock;
    this.#propagation = createPropagation(o.propagators);
    this.#fields = new Set(this.#propagation.fields);
    this.#own = o.provider?.getTracer(TRACER_NAME);
    this.#noopDelegate = new o.api.ProxyTracerProvider().getDelegate();
  }

  setPropagators(names: readonly TracePropagatorName[]): void {
    this.#propagation = createPropagation(names);
    this.#fields = new Set(this.#propagation.fields);
  }

  /** The tracer to start spans with, or undefined while tracing is off. */
  tracer(): Tracer | undefined {
    if (this.#own !== undefined) return this.#own;
    const now = this.#clock.now();
    if (now - this.#checkedAt >= GLOBAL_RECHECK_MS) {
      this.#checkedAt = now;
      const global = this.api.trace.getTracerProvider() as TracerProvider & { getDelegate?: () => unknown };
      const registered = global.getDelegate === undefined || global.getDelegate() !== this.#noopDelegate;
      this.#global = registered ? global.getTracer(TRACER_NAME) : undefined;
    }
    return this.#global;
  }

  /** The context of an incoming request: its remote parent and baggage, or the root (a new trace) when the headers give none valid. */
  extract(get: HeaderGetter): Context {
    const api = this.api;
    const found = this.#propagation.extract(get);
    let ctx = api.ROOT_CONTEXT;
    const span = found.span;
    if (span !== undefined) {
      ctx = api.trace.setSpanContext(ctx, {
        traceId: span.traceId,
        spanId: span.spanId,
        traceFlags: span.traceFlags,
        isRemote: true,
        ...(span.traceState ? { traceState: api.createTraceState(span.traceState) } : {}),
      });
    }
    if (found.baggage !== undefined && found.baggage.size > 0) {
      const entries: Record<string, { value: string; metadata?: ReturnType<OtelApi['baggageEntryMetadataFromString']> }> = {};
      for (const [k, e] of found.baggage) entries[k] = e.metadata === undefined ? { value: e.value } : { value: e.value, metadata: api.baggageEntryMetadataFromString(e.metadata) };
      ctx = api.propagation.setBaggage(ctx, api.propagation.createBaggage(entries));
    }
    return ctx;
  }

  /** Writes the trace headers of `ctx`'s span (and baggage) with `set`; nothing when it holds no valid span. */
  inject(ctx: Context, set: HeaderSetter): void {
    const api = this.api;
    const sc = api.trace.getSpanContext(ctx);
    // The ids are checked once, by the propagation that formats them.
    if (sc === undefined) return;
    const state = sc.traceState?.serialize();
    const span: PropagatedSpan = { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags, ...(state ? { traceState: state } : {}) };
    const bag = api.propagation.getBaggage(ctx);
    let baggage: Map<string, BaggageEntry> | undefined;
    if (bag !== undefined) {
      for (const [k, e] of bag.getAllEntries()) {
        const meta = e.metadata?.toString();
        (baggage ??= new Map()).set(k, meta ? { value: e.value, metadata: meta } : { value: e.value });
      }
    }
    this.#propagation.inject(span, baggage, set);
  }

  /** The header names trace propagation writes: dropped from a caller's own headers so only the mesh's go out. */
  get fields(): ReadonlySet<string> {
    return this.#fields;
  }

  /** The trace and span ids of `ctx`'s span, sampled or not: what logs correlate by. */
  ids(ctx: unknown): TraceRef | undefined {
    const sc = this.api.trace.getSpanContext(ctx as Context);
    return sc === undefined || !this.api.isSpanContextValid(sc) ? undefined : { traceId: sc.traceId, spanId: sc.spanId };
  }

  /** The trace and span ids of `ctx`'s span, when it is sampled (exemplars and logs point only at traces that exist). */
  sampledIds(ctx: unknown): TraceRef | undefined {
    if (ctx === undefined) return undefined;
    const sc = this.api.trace.getSpanContext(ctx as Context);
    if (sc === undefined || (sc.traceFlags & 1) === 0) return undefined;
    return { traceId: sc.traceId, spanId: sc.spanId };
  }
}
