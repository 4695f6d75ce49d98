import type { AddressInfo } from 'node:net';
import { MeshError } from '../index.js';
import { systemClock, type Clock, type Logger } from '../experimental.js';
import { configRoutes, CONFIG_TOPIC } from './config/config-routes.js';
import { ConfigService } from './config/config-service.js';
import { ConfigStreams } from './config/config-streams.js';
import { watchConfigFile } from './config/config-file-watcher.js';
import { readConfigFile } from './config/read-config-file.js';
import { createControlServer } from './control-server.js';
import type { DaemonContext } from './daemon-context.js';
import { loadDaemonSecrets, readAdminTokenFile } from './daemon-secrets.js';
import { healthRoutes } from './health-routes.js';
import { ChangeWaiters } from './http/change-waiters.js';
import { requestHandler } from './http/request-handler.js';
import { Router } from './http/router.js';
import { bearerToken, isAdminToken } from './identity/admin-token.js';
import { certificateRoutes } from './identity/certificate-routes.js';
import { JoinTokens } from './identity/join-tokens.js';
import { DEFAULT_ISSUANCE_RATE, TokenBucket, type TokenBucketOptions } from './identity/token-bucket.js';
import { tokenRoutes } from './identity/token-routes.js';
import { DEFAULT_LISTEN, parseListenAddress, urlOf } from './listen-address.js';
import { ControlMetrics } from './metrics/control-metrics.js';
import { registryRoutes, serviceTopic } from './registry/registry-routes.js';
import type { ControlStore } from './store/control-store.js';
import { SecretBox } from './store/secret-box.js';
import { createStore, parseStoreSpec } from './store/store-spec.js';

export interface ControlDaemonOptions {
  /** The mesh.yaml the daemon starts with, and watches: its edits push new versions; its trustDomain is the daemon's. */
  readonly configFile: string;
  /** `host:port`; default 127.0.0.1:7070; port 0 picks a free one. */
  readonly listen?: string;
  /** `memory`, `file:DIR` (the default, DIR `.inmesh/control`) or `etcd:URL,...`. */
  readonly store?: string;
  /** A file with the 32-byte key that seals the CA and token keys at rest. */
  readonly storeKeyFile?: string;
  /** A file holding the admin token to use instead of generating one at first start. */
  readonly adminTokenFile?: string;
  /** Certificate issuance rate; default 500/s with bursts of 200. */
  readonly issuanceRate?: TokenBucketOptions;
  /** How long a client has to send its request head (default 10 s) and its whole request (default 30 s). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly log?: Logger;
  /** Where the admin token is shown once when it is generated; default standard error. */
  readonly announce?: (line: string) => void;
  /** Monotonic time and timers (leases, waits, the rate limit); default the system clock (unref'd timers). */
  readonly clock?: Clock;
  /** Wall time in epoch ms (token issue and expiry, applied-at times); default Date.now. */
  readonly now?: () => number;
}

export interface ControlDaemon {
  /** `https://host:port` it answers on. */
  readonly url: string;
  /** The CA bundle its certificate and every workload's chain to. */
  readonly bundlePem: string;
  /** The admin token, when this start generated it (first start without --admin-token-file). */
  readonly adminToken: string | undefined;
  readonly store: ControlStore;
  /** Answers parked watches, ends streams, stops watching the config file, closes the server and the store. */
  close(): Promise<void>;
}

const silentLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function refuse(message: string, cause?: unknown): MeshError {
  return new MeshError('MESH_ERR_CONFIG_INVALID', message, cause === undefined ? {} : { cause });
}

/**
 * Starts `inmesh control`: the mesh's config service, service registry and certificate
 * authority over one HTTPS API (ControlPaths), with its state in the store named by `store`.
 *
 * @example
 * const daemon = await startControlDaemon({ configFile: 'mesh.yaml', listen: '127.0.0.1:0', store: 'memory' });
 * // workloads: control: { url: daemon.url }, with daemon.bundlePem as their bootstrap CA
 * await daemon.close();
 */
export async function startControlDaemon(o: ControlDaemonOptions): Promise<ControlDaemon> {
  const log = o.log ?? silentLog;
  const clock = o.clock ?? systemClock;
  const now = o.now ?? Date.now;
  const listen = parseListenAddress(o.listen ?? DEFAULT_LISTEN);
  const spec = parseStoreSpec(o.store);
  const file = readConfigFile(o.configFile);
  const trustDomain = file.trustDomain;
  const box = o.storeKeyFile === undefined ? undefined : SecretBox.fromFile(o.storeKeyFile);
  const givenAdminToken = o.adminTokenFile === undefined ? undefined : readAdminTokenFile(o.adminTokenFile);

  const store = await createStore(spec, { box, log, clock, now });
  const cleanups: (() => void)[] = [];
  try {
    await store.open();
    const { secrets, ca, generatedAdminToken } = await loadDaemonSecrets(
      store,
      spec,
      trustDomain,
      givenAdminToken === undefined ? undefined : { token: givenAdminToken, file: o.adminTokenFile! },
      o.announce ?? ((line: string) => void process.stderr.write(`${line}\n`)),
    );

    const config = new ConfigService(store, trustDomain, log);
    const stored = store.config();
    // The newer of the two is in force: the file edited while the daemon was down, or a config applied after the file was written.
    if (!stored || (stored.yaml !== file.text && file.mtimeMs > stored.appliedAt)) await config.apply(file.text, o.configFile);
    else if (stored.yaml !== file.text) log.info('the stored mesh configuration is newer than the file; it stays in force', { file: o.configFile, version: stored.version });

    const waiters = new ChangeWaiters(clock);
    const streams = new ConfigStreams();
    let closing = false;
    const metrics = new ControlMetrics({
      instancesByService: () => new Map(store.services().map((s) => [s, store.instances(s).instances.length])),
      watchers: () => ({ blocking: waiters.size, stream: streams.size }),
      configVersion: () => store.config()?.version ?? 0,
    });
    cleanups.push(store.onConfig((c) => {
      waiters.notify(CONFIG_TOPIC);
      streams.broadcast({ version: c.version, yaml: c.yaml, appliedAt: c.appliedAt });
    }));
    cleanups.push(store.onInstances((service) => waiters.notify(serviceTopic(service))));

    const d: DaemonContext = {
      trustDomain,
      store,
      ca,
      joinTokens: new JoinTokens(secrets.tokenKeyPem, trustDomain, now),
      config,
      streams,
      waiters,
      issuance: new TokenBucket(o.issuanceRate ?? DEFAULT_ISSUANCE_RATE, clock),
      metrics,
      log,
      now,
      bodyTimeoutMs: Math.max(1, (o.requestTimeoutMs ?? 30_000) - 100),
      isAdmin: (req) => {
        const token = bearerToken(req.headers.authorization);
        return token !== undefined && isAdminToken(token, secrets.adminTokenSha256);
      },
      ready: () => !closing,
    };
    const router = new Router([...configRoutes(d), ...registryRoutes(d), ...certificateRoutes(d), ...tokenRoutes(d), ...healthRoutes(d)]);

    const { server, stopRenewal } = createControlServer(
      { ca, listenHost: listen.host, headersTimeoutMs: o.headersTimeoutMs ?? 10_000, requestTimeoutMs: o.requestTimeoutMs ?? 30_000, log },
      requestHandler(router, trustDomain, metrics, log),
    );
    cleanups.push(stopRenewal);

    await new Promise<void>((resolve, reject) => {
      const failed = (e: Error) => reject(refuse(`cannot listen on ${o.listen ?? DEFAULT_LISTEN}: ${e.message}`, e));
      server.once('error', failed);
      server.listen(listen.port, listen.host, () => {
        server.off('error', failed);
        resolve();
      });
    });
    server.on('error', (e) => log.error('control server error', { error: e.message }));
    const port = (server.address() as AddressInfo).port;
    const url = urlOf(listen.host, port);

    const watcher = watchConfigFile(o.configFile, file.text, (text) => void config.applyFile(text, o.configFile), log);
    cleanups.push(() => watcher.close());
    log.info('control daemon listening', { url, store: store.kind, trustDomain, configVersion: store.config()?.version });

    let closed: Promise<void> | undefined;
    return {
      url,
      bundlePem: ca.bundlePem,
      adminToken: generatedAdminToken,
      store,
      close() {
        closed ??= (async () => {
          closing = true;
          for (const c of cleanups.splice(0)) c();
          waiters.wakeAll();
          streams.closeAll();
          const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          // Answers being written get a moment to leave; then every connection goes.
          const force = setTimeout(() => server.closeAllConnections(), 500);
          force.unref();
          await stopped;
          clearTimeout(force);
          await store.close();
        })();
        return closed;
      },
    };
  } catch (e) {
    for (const c of cleanups.splice(0)) c();
    await store.close().catch(() => undefined);
    throw e;
  }
}
