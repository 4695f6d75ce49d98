import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import type { Registry } from 'prom-client';
import { MeshError, ProcessHold, systemClock, type Clock, type Logger, type Random, type Stack } from './core/index.js';
import type { ConfigSnapshot, MeshConfig } from './config/types.js';
import { loadMeshConfigFile, normalizeConfigObject, preloadConfigLibraries } from './config/load.js';
import { ConfigStore } from './config/config-store.js';
import { watchConfigFile } from './config/file-source.js';
import { AccessLogControl, MeshMetrics, StatsWindows, consoleLogger, metricsHandler, startWorkloadTracing, type MetricsHandler, type TracerProviderLike } from './telemetry/index.js';
import { CallTracing } from './client/http/call-span.js';
import { InboundTracing } from './server/inbound-tracing.js';
import { collectStats, type MeshStats } from './mesh-stats.js';
import { MeshClient } from './client/mesh-client.js';
import { collectClientGauges } from './client/client-gauges.js';
import { MeshDispatcher } from './client/http/mesh-dispatcher.js';
import { callerError } from './client/http/call-errors.js';
import { installGlobalDispatcher } from './client/http/global-dispatcher.js';
import { defaultClientStack, defaultEndpointStack, type ClientParams } from './client/default-stacks.js';
import type { EndpointParams } from './client/http/http-endpoint.js';
import type { ClientEnv } from './client/client-env.js';
import { startAdminServer, type AdminServer } from './server/admin-server.js';
import { InboundRuntime } from './server/inbound-runtime.js';
import { InboundAccess } from './server/inbound-access.js';
import { attachInbound } from './server/inbound-host.js';
import { serve as serveApp, type MeshServer, type ServeOptions } from './server/serve.js';
import type { ServeApp } from './server/app-kind.js';
import { onShutdownSignals, type ShutdownOptions } from './server/shutdown-signals.js';
import { DeadlineWheel } from './resilience/index.js';
import { startIdentity } from './identity/index.js';
import { MeshControl } from './mesh-control.js';
import { kCallOptions, pickCallOptions, withCallOptions, type MeshCallOptions } from './client/call-options.js';

export interface CreateMeshOptions {
  /** This workload's service name: its identity and the source label of its metrics. */
  readonly service: string;
  /** A mesh.yaml path, or the same structure as a plain object. Default: ./mesh.yaml if present. */
  readonly config?: string | Record<string, unknown>;
  /** Reload the file when it changes (default true for a file). */
  readonly watch?: boolean;
  /** Variables for `${VAR}` interpolation (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A prom-client Registry to register into (default: a private one). */
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly random?: Random;
  /**
   * The OpenTelemetry TracerProvider this mesh's spans go to. Default: the one the application
   * registered globally, else the SDK mesh.yaml's `telemetry.tracing.exporter` sets up.
   */
  readonly tracerProvider?: TracerProviderLike;
  /** Patches the client stack of every destination, e.g. `s => s.insertAfter(Role.ClientMetrics, myModule)`. */
  readonly clientStack?: (s: Stack<ClientParams, ClientEnv>) => Stack<ClientParams, ClientEnv>;
  readonly endpointStack?: (s: Stack<EndpointParams, ClientEnv>) => Stack<EndpointParams, ClientEnv>;
  /**
   * What a shutdown signal does once this workload serves (`mesh.serve`): drain and close the
   * mesh, then end the process (`exit`, default `process.exit`). Default `{ signals: ['SIGTERM'] }`;
   * `false` leaves signals to the application (then call `mesh.close()` yourself).
   */
  readonly shutdown?: ShutdownOptions | false;
  /**
   * Make this mesh the process's global dispatcher, so Node's built-in `fetch()` and undici's
   * `request()`/`fetch()` go through it (default false). `close()` puts back the one from before.
   */
  readonly global?: boolean;
}

/** `mesh.request` options: undici's request options without the parts the URL gives. */
export type MeshRequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { method?: Dispatcher.HttpMethod } & MeshCallOptions;

/**
 * `mesh.fetch` init: the global `RequestInit` (whatever lib the application compiles with) plus
 * the mesh's per-call overrides.
 */
export type MeshFetchInit = RequestInit & MeshCallOptions;

export type { MeshStats, ServiceStats, RouteStats, EndpointStats, ServedRouteStats, WindowStats } from './mesh-stats.js';

/** A workload in the mesh: its outbound client, its admin listener and its configuration. */
export interface Mesh {
  readonly service: string;
  /** The configuration in force. */
  readonly config: MeshConfig;
  /** An undici Dispatcher, for `dispatcher:` options; `createMesh({ global: true })` makes it the process's global one. */
  readonly dispatcher: Dispatcher;
  /** The prom-client Registry holding the mesh's metrics. */
  readonly metrics: Registry;
  /**
   * Serves the mesh's metrics, as the admin listener's `/metrics` does, on whatever path it is
   * mounted at: OpenMetrics with exemplars when the scraper asks for it, else the text format 0.0.4.
   *
   * @example
   * app.get('/metrics', mesh.metricsHandler);                                      // Express
   * fastify.get('/metrics', (req, reply) => { reply.hijack(); mesh.metricsHandler(req.raw, reply.raw); });
   * http.createServer(mesh.metricsHandler).listen(9464, '127.0.0.1');
   */
  readonly metricsHandler: MetricsHandler;
  /** The admin listener (`/metrics`, `/healthz`, `/readyz`) when `admin.port` is set. */
  readonly admin: { readonly url: string } | undefined;
  /**
   * WHATWG fetch through the mesh: Node's built-in fetch, so it takes and returns the global
   * `Request`, `RequestInit` and `Response`.
   */
  fetch(input: string | URL | Request, init?: MeshFetchInit): Promise<Response>;
  /** undici's `request` through the mesh: the fast path (undici's fetch is several times slower on Node 20). */
  request(url: string | URL, opts?: MeshRequestOptions): Promise<Dispatcher.ResponseData>;
  /** Resolves once configuration and every destination's first endpoint set are in. */
  ready(): Promise<void>;
  /** Applies a new configuration (a path or an object); throws ConfigValidationError and keeps the old one if invalid. */
  reload(config?: string | Record<string, unknown>): Promise<void>;
  /** Calls `fn` with every configuration applied from now on. */
  onConfig(fn: (snapshot: ConfigSnapshot) => void): () => void;
  /**
   * Golden metrics over the sliding window (`telemetry.stats.window`): per destination and route
   * called, per route served (requests, failures, success rate, rps, p50/p95/p99), and per
   * endpoint its attempts since start. See MeshStats.
   */
  stats(): MeshStats;
  /**
   * Serves an Express app (4 or 5), a Fastify instance (4 or 5) or a node:http request listener
   * through the inbound stack (deadline, admission, load report, metrics) on its own port
   * (`opts.port`, else mesh.yaml `inbound.port`; 0 picks one), and announces it.
   */
  serve(app: ServeApp, opts?: ServeOptions): Promise<MeshServer>;
  /**
   * Drains and stops: not ready at once, served instances deregister, stop accepting and finish
   * their in-flight requests (up to `inbound.drainTimeout`); then outbound calls in flight,
   * connections and listeners close, and watching stops.
   */
  close(): Promise<void>;
}

/**
 * Puts this process in the mesh.
 *
 * @example
 * const mesh = await createMesh({ service: 'checkout', config: 'mesh.yaml' });
 * const res = await mesh.request('http://orders/api/orders/42');
 */
export async function createMesh(o: CreateMeshOptions): Promise<Mesh> {
  if (!o || typeof o.service !== 'string' || o.service === '') throw new MeshError('MESH_ERR_CONFIG_INVALID', 'createMesh: `service` (this workload\'s name) is required');
  const log = o.logger ?? consoleLogger();
  const found = o.config === undefined && existsSync('mesh.yaml');
  const source = o.config ?? (found ? 'mesh.yaml' : {});
  // Run from another directory, a silent empty mesh turns every mesh call into ENOTFOUND: say so.
  if (o.config === undefined && !found) log.warn('no mesh.yaml in the working directory: the mesh starts with no services (pass config to createMesh)', { dir: process.cwd() });
  const load = (src: string | Record<string, unknown>, version: number): ConfigSnapshot =>
    typeof src === 'string' ? loadMeshConfigFile(resolvePath(src), { env: o.env, version }) : normalizeConfigObject(src, { env: o.env, version });
  // Parsing and validation are synchronous; what they need is loaded first, and only when needed.
  await preloadConfigLibraries(source);
  const local = load(source, 1);
  const metrics = new MeshMetrics({ service: o.service, registry: o.registry });
  const clock = o.clock ?? systemClock;
  const random = o.random ?? Math.random;
  const controlCfg = local.config.control;
  const control = controlCfg
    ? await MeshControl.start({ service: o.service, control: controlCfg, identity: local.config.identity, log, clock, random, metrics, ...(o.env && { env: o.env }) })
    : undefined;
  // With a control daemon, every local snapshot (start, file edit, reload) goes in merged with its last good version.
  const compose = (snapshot: ConfigSnapshot): ConfigSnapshot => (control ? control.compose(snapshot) : snapshot);
  let store: ConfigStore;
  try {
    store = new ConfigStore(compose(local));
  } catch (err) {
    await control?.close();
    throw err;
  }
  const shownSource = typeof source === 'string' ? resolvePath(source) : o.config === undefined ? 'none' : 'object';
  log.info('mesh configuration loaded', { source: shownSource, services: Object.keys(store.current().config.services).length });
  const identityHandle = await startIdentity(store.current().config, {
    service: o.service,
    log,
    clock,
    random,
    onRenewal: (result) => metrics.certRotations.inc({ result }),
    ...(control && { controlCache: control.cache }),
  }).catch(async (err: unknown) => {
    await control?.close();
    throw err;
  });
  const identity = identityHandle?.identity;
  control?.attach(store, identity);
  if (identity) {
    const showExpiry = () => metrics.certExpiry.set({ spiffe_id: identity.spiffeId }, Math.floor(identity.notAfter / 1000));
    showExpiry();
    identity.onChange(showExpiry);
  }
  const workloadTracing = startWorkloadTracing({ service: o.service, config: store.current().config.telemetry, clock, log, ...(o.tracerProvider && { provider: o.tracerProvider }) });
  const tracing = workloadTracing?.tracing;
  const ownIdentity = () => identity?.spiffeId;
  // The windows of mesh.stats() and the access log follow reloads; the log is read per request.
  const windows = new StatsWindows(clock, store.current().config.telemetry.stats.window);
  const accessLog = new AccessLogControl({ service: o.service, random, log });
  accessLog.apply(store.current().config.telemetry.accessLog);
  const env: ClientEnv = {
    clock,
    random,
    log,
    metrics,
    wheel: new DeadlineWheel(clock),
    stats: windows,
    accessLog,
    ...(identity && { identity }),
    ...(tracing && { tracing }),
    ...(control && { control: control.registry }),
  };
  // The inbound scope is worth its cost only when outbound calls can inherit from it; decided once per config.
  const propagatesIn = (c: MeshConfig) => Object.keys(c.services).length > 0 || c.telemetry.tracing.exporter !== 'none';
  let propagates = propagatesIn(store.current().config);
  store.subscribe((snapshot) => (propagates = propagatesIn(snapshot.config)));
  // Access rules are the workload's, not one stack's: every stack reads the one compiled per snapshot.
  const access = new InboundAccess({ service: o.service, metrics, log, clock });
  access.apply(store.current().config);
  store.subscribe((snapshot) => access.apply(snapshot.config));
  const inbound = new InboundRuntime({
    access,
    propagates: () => propagates,
    service: o.service,
    clock,
    log,
    metrics,
    stats: windows,
    accessLog,
    wheel: env.wheel,
    config: () => store.current().config.inbound,
    subscribe: (fn) => store.subscribe((snapshot) => fn(snapshot.config.inbound)),
    ...(tracing && { tracing: new InboundTracing(tracing, ownIdentity) }),
    ...(identity && { mtls: { mode: store.current().config.inbound.mtls, identity } }),
    ...(control && { registrar: control.registrar }),
  });
  const client = new MeshClient(env, {
    client: o.clientStack ? o.clientStack(defaultClientStack) : defaultClientStack,
    endpoint: o.endpointStack ? o.endpointStack(defaultEndpointStack) : defaultEndpointStack,
  });
  let passthroughAgent: Agent | undefined;
  const hold = new ProcessHold();
  const dispatcher = new MeshDispatcher(client, {
    clock: env.clock,
    hold,
    passthrough: () => (store.current().config.outbound === 'deny' ? undefined : (passthroughAgent ??= new Agent())),
    ...(tracing && { tracing: new CallTracing({ tracing, source: o.service, sourceIdentity: ownIdentity }) }),
  });
  const unTracing = workloadTracing && store.subscribe((snapshot) => workloadTracing.apply(snapshot.config.telemetry));

  client.apply(store.current());
  // Gauges read client and server state when scraped: nothing on the request path.
  const stopClientGauges = collectClientGauges(metrics, () => client.destinations.values());
  const stopServerGauge = metrics.serverRequestsInFlight.addCollector((emit) => emit({ service: o.service }, inbound.inFlight));
  const serveMetrics = metricsHandler(() => metrics.registry);
  metrics.configReloads.inc({ result: 'applied' });
  const unsubscribe = store.subscribe((snapshot) => {
    windows.setWindow(snapshot.config.telemetry.stats.window);
    const toggled = accessLog.apply(snapshot.config.telemetry.accessLog);
    client.apply(snapshot);
    // The outbound access-log modules are installed only while the log is on.
    if (toggled) client.rebuildStacks();
    metrics.configReloads.inc({ result: 'applied' });
  });
  // The source that offered the update logs why it was refused; here it is only counted.
  const unRejected = store.onRejected(() => metrics.configReloads.inc({ result: 'rejected' }));
  const watcher = typeof source === 'string' && o.watch !== false ? watchConfigFile(resolvePath(source), store, { env: o.env, log, ...(control && { transform: compose }) }) : undefined;

  let isReady = false;
  let closed = false;
  const readyPromise = client.ready().then(() => {
    isReady = true;
  });
  inbound.readiness.add('config', () => isReady);
  const adminCfg = store.current().config.admin;
  const admin: AdminServer | undefined =
    adminCfg.port === undefined ? undefined : await startAdminServer({ host: adminCfg.host, port: adminCfg.port, metrics: serveMetrics, readiness: () => inbound.readiness.report() }).catch(async (err: unknown) => {
          // The control watches would otherwise keep a process whose createMesh failed alive.
          await control?.close();
          throw err;
        });
  // Last of the steps that can throw, so a failed createMesh leaves the process's dispatcher alone.
  const uninstallGlobal = o.global === true ? installGlobalDispatcher(dispatcher) : undefined;
  let uninstallSignals: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  let version = 1;
  const mesh: Mesh = {
    service: o.service,
    get config() {
      return store.current().config;
    },
    dispatcher,
    get metrics() {
      return metrics.registry;
    },
    metricsHandler: serveMetrics,
    admin: admin ? { url: admin.url } : undefined,
    fetch(input, init) {
      const call = init && pickCallOptions(init);
      // fetch builds its own dispatch options, so per-call overrides ride on a one-call dispatcher.
      // Node's fetch takes undici's `dispatcher` option; its types name the undici bundled in Node, not ours.
      const through = { ...init, dispatcher: call ? withCallOptions(dispatcher, call) : dispatcher } as unknown as RequestInit;
      return globalThis.fetch(input, through);
    },
    request(url, opts) {
      const href = typeof url === 'string' ? url : url.href;
      const schemeEnd = href.indexOf('://');
      const pathStart = schemeEnd < 0 ? -1 : href.indexOf('/', schemeEnd + 3);
      const origin = pathStart < 0 ? href : href.slice(0, pathStart);
      const path = pathStart < 0 ? '/' : href.slice(pathStart);
      const call = opts && pickCallOptions(opts);
      // Without options (the common call) a literal; with them Object.assign, never a spread (see withOptions).
      const options = (
        opts === undefined ? { origin, path, method: 'GET' } : Object.assign({}, opts, { origin, path, method: opts.method ?? 'GET' }, call && { [kCallOptions]: call })
      ) as Dispatcher.RequestOptions;
      // undici refuses malformed options itself: those, too, reach the caller as MeshErrors.
      return new Promise((resolve, reject) => dispatcher.request(options, (err, data) => (err ? reject(callerError(err, undefined)) : resolve(data))));
    },
    ready: () => readyPromise,
    async reload(config) {
      await preloadConfigLibraries(config ?? source);
      // Through tryApply, so a refused programmatic reload counts in inmesh_config_reloads_total{result="rejected"} as a refused file edit does.
      const result = store.tryApply(() => compose(load(config ?? source, (version = Math.max(version, store.current().version) + 1))));
      if (!result.ok) throw result.error;
    },
    onConfig: (fn) => store.subscribe(fn),
    stats: () => collectStats(client, windows, metrics),
    async serve(app, opts) {
      if (closed) throw new MeshError('MESH_ERR_CLOSED', 'the mesh is closed');
      // Signals are taken over only by a workload that serves: a client-only process keeps Node's defaults.
      if (o.shutdown !== false && !uninstallSignals) uninstallSignals = onShutdownSignals({ ...o.shutdown, shutdown: () => mesh.close(), log });
      return serveApp(inbound, app, opts);
    },
    close() {
      return (closing ??= closeMesh());
    },
  };
  // The inbound drain comes first: handlers still running may make outbound calls.
  const closeMesh = async () => {
    closed = true;
    await inbound.close();
    watcher?.close();
    identityHandle?.close();
    unsubscribe();
    unRejected();
    // Handlers still draining above could call out through the global fetch; later calls must not meet a closed mesh.
    uninstallGlobal?.();
    await dispatcher.close();
    await Promise.all([client.close(), passthroughAgent?.close(), admin?.close()]);
    // After the inbound drain (deregistration goes through it) and the destinations (their watches).
    await control?.close();
    stopClientGauges();
    stopServerGauge();
    unTracing?.();
    // After the client: spans of calls that just ended are in the batch it exports.
    await workloadTracing?.shutdown().catch((err: unknown) => log.warn('the tracer provider did not shut down cleanly', { error: String(err) }));
    // Last: the lines of the calls and requests that just drained are written too.
    await accessLog.close();
    uninstallSignals?.();
    hold.close();
  };
  attachInbound(mesh, inbound);
  return mesh;
}
