import { isMeshError, Role, type LayerModule } from '../../core/index.js';
import type { AccessLog } from '../../telemetry/index.js';
import { serviceSpiffeId } from '../../identity/index.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import { headerValue } from '../http/header-value.js';
import type { ClientParams } from '../client-params.js';
import type { ClientEnv } from '../client-env.js';
import { errorType } from './client-metrics.js';

const kLoggedCall = Symbol('inmesh.loggedCall');

/** What the attempt counter below retry and hedge reports to the access-log layer of the same call. */
interface LoggedCall {
  attempts: number;
}

/** A sampled call's request: the same request, carrying its counter down the stack (retries copy it along). */
type LoggedRequest = HttpRequest & { readonly [kLoggedCall]?: LoggedCall };

/**
 * One access-log line per sampled logical call, when its body ends or it fails. Below
 * client-metrics, so its duration and outcome are what the caller saw. Installed only while
 * the access log is on for outbound calls (a toggle rebuilds the stacks); the sample ratio and
 * headers are read per call, so they follow reloads without a rebuild.
 */
export const accessLogModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.AccessLog,
  description: 'an access-log line per sampled logical call; below client-metrics, so it logs what the caller saw',
  layer(p, env) {
    const control = env.accessLog;
    if (control?.outbound === undefined) return undefined;
    const identity = env.identity;
    const sourceIdentity = identity?.spiffeId;
    // The identity the server must prove (endpoint-connector checks it); plaintext destinations have none.
    const destinationIdentity = identity && p.service.tls === 'mesh' ? serviceSpiffeId(identity.trustDomain, p.name).toString() : undefined;
    const { clock } = env;
    const destination = p.name;
    const route = p.routeName;
    return (next) =>
      function accessLog(req: HttpRequest, ctx) {
        const log = control.outbound;
        if (log === undefined || !log.sample()) return next(req, ctx);
        const call: LoggedCall = { attempts: 0 };
        const startedAt = clock.now();
        const trace = ctx.otel === undefined ? undefined : env.tracing?.ids(ctx.otel);
        const write = (log: AccessLog, status: number | undefined, error: string | undefined, endpoint: string | undefined) =>
          log.write({
            direction: 'outbound',
            peerService: destination,
            sourceIdentity,
            destinationIdentity,
            route,
            method: req.opts.method,
            path: req.opts.path,
            status,
            error,
            durationMs: clock.now() - startedAt,
            attempts: call.attempts,
            endpoint,
            traceId: trace?.traceId,
            spanId: trace?.spanId,
            header: (name) => headerValue(req.opts.headers, name),
          });
        const logged: LoggedRequest = { opts: req.opts, authority: req.authority, [kLoggedCall]: call };
        return next(logged, ctx).then(
          (res: HttpResponse) => {
            res.onDone((err) => write(log, res.statusCode, err ? errorType(err) : undefined, res.endpoint || undefined));
            return res;
          },
          (err: unknown) => {
            write(log, undefined, errorType(err), isMeshError(err) ? err.endpoint : undefined);
            throw err;
          },
        );
      };
  },
};

/**
 * Counts the attempts of a logged call: below retry and hedge, so every attempt passes here
 * once; above requeue, whose re-sends of a request no server processed are not attempts.
 * Installed with the access log; an unlogged call costs one property read.
 */
export const attemptCountModule: LayerModule<ClientParams, ClientEnv> = {
  role: Role.AttemptCount,
  description: "counts a logged call's attempts; below retry and hedge so it sees each one",
  layer(_p, env) {
    if (env.accessLog?.outbound === undefined) return undefined;
    return (next) =>
      function countAttempt(req: LoggedRequest, ctx) {
        const call = req[kLoggedCall];
        if (call !== undefined) call.attempts++;
        return next(req, ctx);
      };
  },
};
