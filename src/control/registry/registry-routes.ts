import { ControlPaths, CONTROL_VERSION_HEADER, type InstanceLeaseBody, type ServiceInstancesBody, type ServiceListBody } from '../../experimental.js';
import { tooManyWatchers } from '../config/config-routes.js';
import { MAX_WATCHERS, type DaemonContext } from '../daemon-context.js';
import { parseBlockingQuery } from '../http/blocking-query.js';
import { serviceOfIdentity } from '../http/caller-identity.js';
import { forbidden, unauthenticated } from '../http/control-http-error.js';
import { readJsonObject } from '../http/read-body.js';
import { sendJson, sendNoContent } from '../http/respond.js';
import type { RequestContext, Route } from '../http/router.js';
import { checkInstanceAddress, checkServiceName } from '../names.js';
import { checkInstanceBody } from './instance-body.js';

export const serviceTopic = (service: string): string => `service:${service}`;

export function registryRoutes(d: DaemonContext): Route[] {
  /** A registry write: the admin token, or the mTLS identity of the service itself. */
  function mayWrite(ctx: RequestContext, service: string): void {
    if (d.isAdmin(ctx.req)) return;
    const own = serviceOfIdentity(ctx.caller, d.trustDomain);
    if (own === service) return;
    if (ctx.caller === undefined) throw unauthenticated(`writing instances of ${service} needs its mesh certificate (spiffe://${d.trustDomain}/svc/${service}) or the admin token`);
    throw forbidden(`${ctx.caller} may write only instances of its own service, not of ${service}`);
  }

  function body(service: string): ServiceInstancesBody {
    const { version, instances } = d.store.instances(service);
    return { service, version, instances };
  }

  function list({ res }: RequestContext): void {
    const services: Record<string, { instances: number; version: number }> = {};
    for (const s of d.store.services()) {
      const { version, instances } = d.store.instances(s);
      services[s] = { instances: instances.length, version };
    }
    sendJson(res, 200, { services } satisfies ServiceListBody);
  }

  async function get({ url, res, params }: RequestContext): Promise<void> {
    const service = checkServiceName(params.service);
    const q = parseBlockingQuery(url.searchParams);
    if (q.version === d.store.instances(service).version && q.waitMs > 0) {
      if (d.waiters.size + d.streams.size >= MAX_WATCHERS) throw tooManyWatchers();
      await d.waiters.wait(serviceTopic(service), () => d.store.instances(service).version !== q.version, q.waitMs, res);
    }
    const now = body(service);
    sendJson(res, 200, now, { [CONTROL_VERSION_HEADER]: String(now.version) });
  }

  async function put(ctx: RequestContext): Promise<void> {
    const service = checkServiceName(ctx.params.service);
    const address = checkInstanceAddress(ctx.params.address!);
    mayWrite(ctx, service);
    const b = checkInstanceBody(await readJsonObject(ctx.req, d.bodyTimeoutMs));
    const { version } = await d.store.upsertInstance({ service, address, labels: b.labels, meshed: b.meshed, protocols: b.protocols, registeredAt: d.now(), leaseMs: Math.round(b.leaseSeconds * 1000) });
    sendJson(ctx.res, 200, { leaseSeconds: b.leaseSeconds, version } satisfies InstanceLeaseBody);
  }

  async function remove(ctx: RequestContext): Promise<void> {
    const service = checkServiceName(ctx.params.service);
    const address = checkInstanceAddress(ctx.params.address!);
    mayWrite(ctx, service);
    // Idempotent: a workload draining after its lease lapsed is not told off for it.
    await d.store.removeInstance(service, address);
    sendNoContent(ctx.res);
  }

  return [
    { template: ControlPaths.services, methods: { GET: list } },
    { template: '/v1/registry/services/{service}', methods: { GET: get } },
    { template: '/v1/registry/services/{service}/instances/{address}', methods: { PUT: put, DELETE: remove } },
  ];
}
