import { isMeshError, Role, type TapModule } from '../../core/index.js';
import type { CallSeries, SlidingWindow } from '../../telemetry/index.js';
import type { HttpResponse } from '../http/http-types.js';
import type { ClientEnv } from '../client-env.js';

/** The error.type label of OpenTelemetry: a MeshError code or the error's name. */
export function errorType(err: unknown): string {
  if (isMeshError(err)) return err.code;
  return (err as { code?: string })?.code ?? (err as Error)?.name ?? 'error';
}

/**
 * `http_client_request_duration_seconds` per destination and route, until the body ends, and the
 * route's sliding window of `mesh.stats()` (a failure: an error or a 5xx).
 * Outermost, so it records what the caller saw, once per logical call, retries included.
 */
export const clientMetrics: TapModule<{ readonly series: CallSeries; readonly window?: SlidingWindow | undefined }, ClientEnv> = {
  role: Role.ClientMetrics,
  description: 'golden metrics per logical call; outermost so it counts what the caller saw',
  tap({ series, window }, { clock, tracing }) {
    return {
      response(res: HttpResponse, ctx, startedAt) {
        // An exemplar only for a sampled call: it points at a trace the backend has.
        const trace = ctx.otel === undefined ? undefined : tracing?.sampledIds(ctx.otel);
        res.onDone((err) => {
          const seconds = (clock.now() - startedAt) / 1000;
          if (err) series.error(errorType(err), seconds, trace);
          else series.status(res.statusCode, seconds, trace);
          window?.record(seconds, Boolean(err) || res.statusCode >= 500);
        });
      },
      error(err: unknown, ctx, startedAt, now) {
        const seconds = (now - startedAt) / 1000;
        series.error(errorType(err), seconds, ctx.otel === undefined ? undefined : tracing?.sampledIds(ctx.otel));
        window?.record(seconds, true);
      },
    };
  },
};
