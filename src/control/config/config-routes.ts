import { ControlPaths, CONTROL_VERSION_HEADER, type ConfigResponseBody } from '../../experimental.js';
import { MAX_WATCHERS, type DaemonContext } from '../daemon-context.js';
import { parseBlockingQuery } from '../http/blocking-query.js';
import { ControlHttpError, unauthenticated } from '../http/control-http-error.js';
import { decodeUtf8, MAX_CONFIG_BODY_BYTES, readBody, requireMediaType } from '../http/read-body.js';
import { sendJson } from '../http/respond.js';
import type { RequestContext, Route } from '../http/router.js';

/** What `PUT /v1/config` takes: mesh.yaml as text. */
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];
export const CONFIG_TOPIC = 'config';

function current(d: DaemonContext): ConfigResponseBody {
  const c = d.store.config();
  if (!c) throw new ControlHttpError(404, 'MESH_ERR_CONFIG_INVALID', 'no mesh configuration has been applied yet');
  return { version: c.version, yaml: c.yaml, appliedAt: c.appliedAt };
}

export function tooManyWatchers(): ControlHttpError {
  return new ControlHttpError(503, 'MESH_ERR_OVERLOADED', `the daemon holds ${MAX_WATCHERS} watches already; try again`, { headers: { 'retry-after': '5' } });
}

export function configRoutes(d: DaemonContext): Route[] {
  async function get({ url, res }: RequestContext): Promise<void> {
    const q = parseBlockingQuery(url.searchParams);
    const at = current(d);
    if (q.version === at.version && q.waitMs > 0) {
      if (d.waiters.size + d.streams.size >= MAX_WATCHERS) throw tooManyWatchers();
      await d.waiters.wait(CONFIG_TOPIC, () => d.store.config()?.version !== q.version, q.waitMs, res);
    }
    const now = current(d);
    sendJson(res, 200, now, { [CONTROL_VERSION_HEADER]: String(now.version) });
  }

  async function put({ req, res }: RequestContext): Promise<void> {
    if (!d.isAdmin(req)) throw unauthenticated('applying a configuration needs the admin token (authorization: Bearer …)');
    requireMediaType(req, YAML_TYPES);
    const yaml = decodeUtf8(await readBody(req, MAX_CONFIG_BODY_BYTES, d.bodyTimeoutMs));
    const applied = await d.config.apply(yaml);
    sendJson(res, 200, applied, { [CONTROL_VERSION_HEADER]: String(applied.version) });
  }

  function stream({ req, res }: RequestContext): void {
    if (d.waiters.size + d.streams.size >= MAX_WATCHERS) throw tooManyWatchers();
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' }).end();
      return;
    }
    const last = req.headers['last-event-id'];
    d.streams.add(res, d.store.config() && current(d), typeof last === 'string' ? last : undefined);
  }

  return [
    { template: ControlPaths.config, methods: { GET: get, PUT: put } },
    { template: ControlPaths.configStream, methods: { GET: stream } },
  ];
}
