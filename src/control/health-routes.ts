import { ControlPaths } from '../experimental.js';
import type { DaemonContext } from './daemon-context.js';
import { ControlHttpError } from './http/control-http-error.js';
import { sendJson } from './http/respond.js';
import type { RequestContext, Route } from './http/router.js';

/** `/healthz` (the process answers), `/readyz` (store open, secrets loaded, not closing) and `/metrics`. */
export function healthRoutes(d: DaemonContext): Route[] {
  return [
    { template: ControlPaths.healthz, methods: { GET: ({ res }: RequestContext) => sendJson(res, 200, { status: 'ok' }) } },
    {
      template: ControlPaths.readyz,
      methods: {
        GET: ({ res }: RequestContext) => {
          if (!d.ready()) throw new ControlHttpError(503, 'MESH_ERR_CLOSED', 'the control daemon is closing');
          sendJson(res, 200, { status: 'ready', store: d.store.kind, configVersion: d.store.config()?.version ?? 0 });
        },
      },
    },
    {
      template: ControlPaths.metrics,
      methods: {
        GET: async ({ res }: RequestContext) => {
          const text = await d.metrics.registry.metrics();
          if (!res.destroyed) res.writeHead(200, { 'content-type': d.metrics.registry.contentType }).end(text);
        },
      },
    },
  ];
}
