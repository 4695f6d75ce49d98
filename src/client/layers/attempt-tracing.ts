import { Role, type CallContext, type LayerModule } from '../../core/index.js';
import { withOptions } from '../http/dispatch-options.js';
import { Attr, type MeshTracing } from '../../telemetry/index.js';
import { replaceHeaders } from '../http/set-header.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import type { EndpointParams } from '../http/http-endpoint.js';
import type { ClientEnv } from '../client-env.js';
import { errorType } from './client-metrics.js';

type Context = import('@opentelemetry/api').Context;

/**
 * A child span per attempt (the first, each retry and hedge, with why it was sent) and the
 * trace headers that attempt carries, so the server's span hangs under the attempt that reached
 * it. Outermost of the endpoint stack: an attempt the breaker refuses shows too. A logical call
 * that is not sampled gets no attempt spans: its own context goes out, sampled flag off.
 */
export const attemptTracing: LayerModule<EndpointParams, ClientEnv> = {
  role: Role.Tracing,
  description: 'a span per attempt and the trace headers it sends; outermost of the endpoint so refused attempts show',
  layer(p, env) {
    const tracing = env.tracing;
    if (tracing === undefined) return undefined;
    const address = p.spec.address;
    const host = p.spec.host;
    const port = p.spec.port;
    const destination = p.destination;
    return (next) =>
      function attemptSpan(req: HttpRequest, ctx: CallContext): Promise<HttpResponse> {
        const parent = ctx.otel as Context | undefined;
        if (parent === undefined) return next(req, ctx);
        const api = tracing.api;
        const tracer = tracing.tracer();
        if (tracer === undefined || api.trace.getSpan(parent)?.isRecording() !== true) return next(withTraceHeaders(req, tracing, parent), ctx);
        const circuit = p.breakerState();
        const span = tracer.startSpan(
          req.opts.method ?? 'GET',
          {
            kind: api.SpanKind.CLIENT,
            attributes: {
              [Attr.peerAddress]: host,
              [Attr.peerPort]: port,
              [Attr.endpoint]: address,
              [Attr.destinationService]: destination,
              [Attr.attempt]: ctx.attempt,
              ...(ctx.attempt > 1 && { [Attr.resendCount]: ctx.attempt - 1 }),
              ...(ctx.resend !== undefined && { [Attr.retryReason]: ctx.resend }),
              ...(circuit !== undefined && { [Attr.circuitState]: circuit }),
            },
          },
          parent,
        );
        const sent = withTraceHeaders(req, tracing, api.trace.setSpan(parent, span));
        return next(sent, ctx).then(
          (res) => {
            span.setAttribute(Attr.status, res.statusCode);
            // The attempt ends with its headers: a retry discards the body, a delivered one belongs to the call's span.
            if (res.statusCode >= 500) {
              span.setAttribute(Attr.errorType, String(res.statusCode));
              span.setStatus({ code: api.SpanStatusCode.ERROR });
            }
            span.end();
            return res;
          },
          (err: unknown) => {
            span.setAttribute(Attr.errorType, errorType(err));
            span.setStatus({ code: api.SpanStatusCode.ERROR, message: (err as Error)?.message ?? String(err) });
            span.end();
            throw err;
          },
        );
      };
  },
};

function withTraceHeaders(req: HttpRequest, tracing: MeshTracing, ctx: Context): HttpRequest {
  const add: string[] = [];
  tracing.inject(ctx, (name: string, value: string) => add.push(name, value));
  if (add.length === 0) return req;
  return { opts: withOptions(req.opts, { headers: replaceHeaders(req.opts.headers, tracing.fields, add) }), authority: req.authority };
}
