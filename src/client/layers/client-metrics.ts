import { isMeshError, Role, type Module } from '../../core/index.js';
import type { CallSeries } from '../../telemetry/index.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import type { ClientEnv } from '../client-env.js';

/** The error.type label of OpenTelemetry: a MeshError code or the error's name. */
export function errorType(err: unknown): string {
  if (isMeshError(err)) return err.code;
  return (err as { code?: string })?.code ?? (err as Error)?.name ?? 'error';
}

/**
 * `http_client_request_duration_seconds` per destination and route, until the body ends.
 * Sits above retry, so it records what the caller saw, once per logical call.
 */
export const clientMetrics: Module<{ readonly series: CallSeries }, ClientEnv> = {
  role: Role.ClientMetrics,
  description: 'golden metrics per logical call; above retry so it counts what the caller saw',
  layer({ series }, { clock }) {
    return (next) =>
      function clientMetrics(req: HttpRequest, ctx) {
        const started = clock.now();
        return next(req, ctx).then(
          (res: HttpResponse) => {
            res.onDone((err) => {
              const seconds = (clock.now() - started) / 1000;
              if (err) series.error(errorType(err), seconds);
              else series.status(res.statusCode, seconds);
            });
            return res;
          },
          (err: unknown) => {
            series.error(errorType(err), (clock.now() - started) / 1000);
            throw err;
          },
        );
      };
  },
};
