import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../experimental.js';
import type { ControlMetrics } from '../metrics/control-metrics.js';
import { callerIdentity } from './caller-identity.js';
import { badRequest, toControlHttpError } from './control-http-error.js';
import { sendError } from './respond.js';
import { UNMATCHED, type Router } from './router.js';

/**
 * The daemon's node:http handler: routes the request, runs its handler, and turns whatever it
 * throws into a 4xx ControlErrorBody (a 500 only for a fault of the daemon, logged). Every
 * answer is counted by route template, method and status.
 */
export function requestHandler(router: Router, trustDomain: string, metrics: ControlMetrics, log: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return function controlRequest(req, res) {
    let route = UNMATCHED;
    const method = req.method ?? 'GET';
    res.once('finish', () => metrics.request(route, method, res.statusCode));
    const run = async (): Promise<void> => {
      const target = req.url ?? '';
      if (!target.startsWith('/')) throw badRequest('the request target must be a path (origin-form)');
      let url: URL;
      try {
        url = new URL(`https://control.invalid${target}`);
      } catch {
        throw badRequest('the request target is not a valid path');
      }
      const found = router.find(url.pathname);
      if (found) route = found.route.template;
      const match = router.match(method, url.pathname);
      await match.handler({ req, res, url, params: match.params, caller: callerIdentity(req.socket as TLSSocket, trustDomain) });
    };
    run().catch((e: unknown) => {
      const err = toControlHttpError(e);
      if (err.status >= 500 && err.code === 'MESH_ERR_TRANSPORT') log.error('control request failed', { method, route, error: (e as Error)?.stack ?? String(e) });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, err, !req.complete);
    });
  };
}
