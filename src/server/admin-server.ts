import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { MetricsHandler } from '../telemetry/index.js';
import type { ReadinessReport } from './readiness.js';

export interface AdminServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  /** Serves `/metrics`: the same handler as `mesh.metricsHandler`, so both expose the same thing. */
  readonly metrics: MetricsHandler;
  /** Ready means: config and first endpoint sets in, identity loaded, registered, not draining, app checks pass. */
  readonly readiness: () => Promise<ReadinessReport>;
}

/**
 * The workload's admin listener, apart from the application's port: `/metrics` for
 * Prometheus, `/healthz` (the process is alive: 200 until it stops, also while draining)
 * and `/readyz` (send it traffic: 200 or 503, with each check in a JSON body).
 *
 * @example
 * const admin = await startAdminServer({ host: '127.0.0.1', port: 0, metrics: metricsHandler(() => registry), readiness: () => readiness.report() });
 */
export async function startAdminServer(o: AdminServerOptions): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      o.metrics(req, res);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(head ? undefined : 'ok\n');
    } else if (path === '/readyz') {
      o.readiness().then(
        (report) => {
          const body = `${JSON.stringify({ status: report.ready ? 'ready' : 'not ready', checks: report.checks })}\n`;
          res.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(head ? undefined : body);
        },
        (err: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`not ready: ${String(err)}\n`),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  server.listen(o.port, o.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
