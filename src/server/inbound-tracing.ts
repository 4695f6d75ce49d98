import type { IncomingHttpHeaders } from 'node:http';
import { Attr, spanMethod, type MeshTracing, type TraceRef } from '../telemetry/index.js';
import type { InboundExchange } from './inbound-exchange.js';

type Context = import('@opentelemetry/api').Context;
type Span = import('@opentelemetry/api').Span;

/**
 * The server span of each inbound request: a child of the caller's span when the request
 * carries valid trace headers, else the root of a new trace. The application runs with it as
 * the active context, and calls it makes through the mesh descend from it.
 */
export class InboundTracing {
  readonly #tracing: MeshTracing;
  readonly #identity: () => string | undefined;

  constructor(tracing: MeshTracing, identity: () => string | undefined) {
    this.#tracing = tracing;
    this.#identity = identity;
  }

  /** Starts `ex`'s span when tracing is on: `ex.otel` is then its context. */
  start(ex: InboundExchange): void {
    const tracer = this.#tracing.tracer();
    if (tracer === undefined) return;
    const api = this.#tracing.api;
    const req = ex.req;
    const headers: IncomingHttpHeaders = req.headers;
    const parent = this.#tracing.extract((name: string) => headers[name]);
    const method = spanMethod(req.method);
    const span = tracer.startSpan(method === '_OTHER' ? 'HTTP' : method, { kind: api.SpanKind.SERVER }, parent);
    if (span.isRecording()) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const own = this.#identity();
      const socket = req.socket;
      span.setAttributes({
        [Attr.method]: method,
        [Attr.urlPath]: q < 0 ? url : url.slice(0, q),
        [Attr.urlScheme]: (socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http',
        [Attr.protocolVersion]: req.httpVersion,
        [Attr.destinationService]: ex.service,
        ...(socket?.remoteAddress !== undefined && { [Attr.clientAddress]: socket.remoteAddress, [Attr.peerAddress]: socket.remoteAddress }),
        ...(socket?.remotePort !== undefined && { [Attr.peerPort]: socket.remotePort }),
        ...(own !== undefined && { [Attr.destinationIdentity]: own }),
        ...(ex.peer !== undefined && { [Attr.sourceIdentity]: ex.peer }),
      });
    }
    ex.span = span;
    ex.otel = api.trace.setSpan(parent, span);
  }

  /** Ends the span of `ex` with the status the caller got (499: it left first) and the route template. */
  end(ex: InboundExchange, status: number, route: string): void {
    const span = ex.span as Span;
    ex.span = undefined;
    if (!span.isRecording()) return span.end();
    if (route !== '') {
      span.setAttribute(Attr.route, route);
      const method = spanMethod(ex.req.method);
      span.updateName(`${method === '_OTHER' ? 'HTTP' : method} ${route}`);
    }
    span.setAttribute(Attr.status, status);
    if (status >= 500) {
      span.setAttribute(Attr.errorType, String(status));
      span.setStatus({ code: this.#tracing.api.SpanStatusCode.ERROR });
    }
    span.end();
  }

  /** The trace and span ids of `ex`'s span when sampled: the exemplar of its metrics. */
  sampledIds(ex: InboundExchange): TraceRef | undefined {
    return this.#tracing.sampledIds(ex.otel);
  }

  /** The trace and span ids of `ex`'s span, sampled or not (the access log); undefined untraced. */
  ids(ex: InboundExchange): TraceRef | undefined {
    return ex.otel === undefined ? undefined : this.#tracing.ids(ex.otel);
  }

  /** Runs the application with `ex`'s span active, for its own spans and instrumented libraries. */
  run(ex: InboundExchange, fn: (ex: InboundExchange) => void): void {
    this.#tracing.api.context.with(ex.otel as Context, fn, undefined, ex);
  }
}
