import type { MeshTracing } from '../../telemetry/index.js';
import { Attr, spanMethod } from '../../telemetry/index.js';
import { errorType } from '../layers/client-metrics.js';
import type { HttpRequest, HttpResponse } from './http-types.js';

type Context = import('@opentelemetry/api').Context;
type Span = import('@opentelemetry/api').Span;

/** One logical call's client span and the context attempts descend from. */
export interface CallSpan {
  readonly span: Span;
  readonly ctx: Context;
}

export interface CallTracingOptions {
  readonly tracing: MeshTracing;
  readonly source: string;
  /** This workload's SPIFFE ID while identity is on. */
  readonly sourceIdentity: () => string | undefined;
}

/**
 * The client span of a logical call (retries and hedges are its attempt children). Its parent is
 * the active OpenTelemetry context when the application has a span there, else the served
 * request's (the inbound scope), so a call made inside a handler joins that request's trace with
 * no code in the handler.
 */
export class CallTracing {
  readonly tracing: MeshTracing;
  readonly #source: string;
  readonly #sourceIdentity: () => string | undefined;

  constructor(o: CallTracingOptions) {
    this.tracing = o.tracing;
    this.#source = o.source;
    this.#sourceIdentity = o.sourceIdentity;
  }

  /** Starts the span when tracing is on; undefined otherwise (the call then carries no trace headers). */
  start(req: HttpRequest, destination: string, route: string, destinationIdentity: string | undefined, inbound: unknown): CallSpan | undefined {
    const tracer = this.tracing.tracer();
    if (tracer === undefined) return undefined;
    const api = this.tracing.api;
    const active = api.context.active();
    const parent = api.trace.getSpan(active) === undefined && inbound !== undefined ? (inbound as Context) : active;
    const method = spanMethod(req.opts.method);
    const span = tracer.startSpan(method === '_OTHER' ? 'HTTP' : method, { kind: api.SpanKind.CLIENT }, parent);
    // Attributes only for a span that keeps them: an unsampled call should cost as little as it can.
    if (span.isRecording()) {
      const source = this.#sourceIdentity();
      span.setAttributes({
        [Attr.method]: method,
        [Attr.urlFull]: `http://${req.authority}${pathOnly(req.opts.path)}`,
        [Attr.serverAddress]: req.authority,
        [Attr.sourceService]: this.#source,
        [Attr.destinationService]: destination,
        [Attr.meshRoute]: route,
        ...(source !== undefined && { [Attr.sourceIdentity]: source }),
        ...(destinationIdentity !== undefined && { [Attr.destinationIdentity]: destinationIdentity }),
      });
    }
    return { span, ctx: api.trace.setSpan(parent, span) };
  }

  /** Ends the span when the response body has ended, or failed. */
  response(call: CallSpan, res: HttpResponse): void {
    const span = call.span;
    if (!span.isRecording()) return;
    span.setAttribute(Attr.status, res.statusCode);
    res.onDone((err) => {
      if (err) this.#fail(span, err);
      else if (res.statusCode >= 500) {
        span.setAttribute(Attr.errorType, String(res.statusCode));
        span.setStatus({ code: this.tracing.api.SpanStatusCode.ERROR });
      }
      span.end();
    });
  }

  error(call: CallSpan, err: unknown): void {
    if (!call.span.isRecording()) return;
    this.#fail(call.span, err);
    call.span.end();
  }

  #fail(span: Span, err: unknown): void {
    span.setAttribute(Attr.errorType, errorType(err));
    span.setStatus({ code: this.tracing.api.SpanStatusCode.ERROR, message: (err as Error)?.message ?? String(err) });
  }
}

/** The path without its query string: a query may carry credentials, and spans are kept for long. */
export function pathOnly(path: string | undefined): string {
  if (path === undefined || path === '') return '/';
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}
