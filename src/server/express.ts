import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InboundExchange, InboundTarget } from './inbound-exchange.js';
import { inboundOf, type InboundHost } from './inbound-host.js';
import type { InboundOverrides } from './inbound-options.js';

type Next = (err?: unknown) => void;
type ExpressLikeRequest = { route?: { path?: unknown }; baseUrl?: string };

/**
 * Express's route template (`/api/orders/:id`, with the router's mount path), known once
 * routing has happened, so it is read when the response ends. Anything else (regexp routes,
 * no match) is '' rather than the raw path, which would make a metric series per URL.
 */
export function expressRouteOf(ex: InboundExchange): string {
  const r = ex.req as unknown as ExpressLikeRequest;
  const path = r.route?.path;
  return typeof path === 'string' ? (r.baseUrl ?? '') + path : '';
}

const middlewareTarget: InboundTarget<Next, undefined> = {
  run(next) {
    next();
  },
  routeOf: expressRouteOf,
};

/**
 * Express middleware running the inbound stack (deadline, admission, load report, metrics) for
 * apps that own their listener; `req.mesh` is set for the handlers after it. Mount it first.
 * `mesh.serve(app)` does the same without it (and adds the listener, h2c and the drain).
 *
 * @example
 * const app = express();
 * app.use(inmeshExpress(mesh, { maxConcurrent: 100 }));
 * app.get('/orders/:id', (req, res) => res.json({ deadlineAt: req.mesh.deadlineAt }));
 * app.listen(8080);
 */
export function inmeshExpress(mesh: InboundHost, opts: InboundOverrides = {}): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const stack = inboundOf(mesh).createStack(opts);
  return function inmesh(req, res, next) {
    stack.handle(req, res, middlewareTarget, next, undefined);
  };
}
