import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE, renderOpenMetrics, type FamilySnapshot } from './openmetrics.js';

/** A node:http request handler: a plain `http.createServer(handler)`, an Express route, or Fastify's `reply.raw`. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves a registry's exposition on any path it is mounted at (GET and HEAD): OpenMetrics 1.0
 * with exemplars when the scraper's Accept header prefers `application/openmetrics-text` (as
 * Prometheus does), else the Prometheus text format 0.0.4. `registry` is read per scrape, so
 * prom-client loads on the first scrape, not when the handler is made.
 *
 * @example
 * http.createServer(metricsHandler(() => registry)).listen(9464);
 */
export function metricsHandler(registry: () => Registry): MetricsHandler {
  return (req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const reg = registry();
    const open = prefersOpenMetrics(req.headers.accept);
    const text = open ? reg.getMetricsAsJSON().then((f) => renderOpenMetrics(f as unknown as FamilySnapshot[])) : reg.metrics();
    text.then(
      (body) => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': open ? OPENMETRICS_CONTENT_TYPE : reg.contentType, vary: 'Accept' }).end(head ? undefined : body);
      },
      (err: unknown) => {
        if (!res.destroyed && !res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`);
      },
    );
  };
}

/**
 * Whether an Accept header ranks OpenMetrics text above the 0.0.4 text format: its q is above
 * zero and at least that of `text/plain` (or of a wildcard standing for it). No header, or
 * one that does not name OpenMetrics, keeps the text format.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let om = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q >= 0)) continue;
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text;
}
