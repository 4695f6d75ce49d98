import { MeshError, type Clock, type Logger } from '../core/index.js';
import type { InboundConfig } from '../config/types.js';
import type { DeadlineWheel } from '../resilience/index.js';
import type { AccessLogControl, MeshMetrics, StatsWindows } from '../telemetry/index.js';
import type { InboundAccess } from './inbound-access.js';
import type { InboundTracing } from './inbound-tracing.js';
import type { InboundRequest } from './inbound-exchange.js';
import { inboundSettings, type InboundOverrides, type InboundSettings } from './inbound-options.js';
import { InboundStack, type InboundEnv } from './inbound-stack.js';

const always = () => true;
import { LoadReporter, type EluSampler } from './load-reporter.js';
import { Readiness } from './readiness.js';
import { noopRegistrar, type Registrar } from './registrar.js';
import { ServerMetrics } from './server-metrics.js';
import { within } from './within.js';
import type { WorkloadIdentity } from '../identity/index.js';
import type { ListenerTls } from './listener.js';
import { peerIdOf, type MtlsMode } from './mtls-front.js';

export interface InboundRuntimeOptions {
  readonly service: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: MeshMetrics;
  /** The mesh's one timer mechanism, shared with the client's deadlines. */
  readonly wheel: DeadlineWheel;
  /** The `inbound` block of the config in force. */
  readonly config: () => InboundConfig;
  /** Calls `fn` with the `inbound` block of every config applied from now on. */
  readonly subscribe?: (fn: (cfg: InboundConfig) => void) => () => void;
  /** Where served instances are announced; the control registry replaces the no-op default later. */
  readonly registrar?: Registrar;
  /** The caller's SPIFFE ID from the connection (the identity issue fills this in); plaintext: none. */
  readonly peerOf?: (req: InboundRequest) => string | undefined;
  /** Authentication and authorization of the workload's service, following config reloads itself. */
  readonly access?: InboundAccess;
  /** Server spans, when the OpenTelemetry API is installed. */
  readonly tracing?: InboundTracing;
  /**
   * Whether outbound calls could inherit anything from a request (the config has destinations,
   * or tracing is on): only then is the inbound scope entered. Default: always.
   */
  readonly propagates?: () => boolean;
  readonly elu?: EluSampler;
  /** Serve mTLS with this identity; absent: plaintext. */
  readonly mtls?: { readonly mode: MtlsMode; readonly identity: WorkloadIdentity };
  /** The sliding windows of `mesh.stats()`: served routes are recorded in them too. */
  readonly stats?: StatsWindows;
  /** The workload's access log, following reloads itself. */
  readonly accessLog?: AccessLogControl;
}

/** Something that drains on shutdown: a listener of `mesh.serve`. */
export interface Drainable {
  /** `closeApp`: the workload is stopping, so the served application is closed too once drained (Fastify). */
  drain(closeApp?: boolean): Promise<void>;
}

interface StackEntry {
  readonly overrides: InboundOverrides;
  /** Drained by its listener (mesh.serve) rather than by the runtime. */
  served: boolean;
}

/**
 * The inbound side of one workload: what every inbound stack shares (clock, timer wheel,
 * load reporter, metrics), the stacks themselves (one per served or wrapped application),
 * readiness, and the drain on shutdown.
 */
export class InboundRuntime {
  readonly service: string;
  readonly env: InboundEnv;
  readonly readiness: Readiness;
  readonly registrar: Registrar;
  readonly log: Logger;
  readonly clock: Clock;
  /** What `mesh.serve` listeners serve mTLS with, when identity is on. */
  readonly tls: ListenerTls | undefined;
  readonly #config: () => InboundConfig;
  readonly #stacks = new Map<InboundStack, StackEntry>();
  readonly #served = new Set<Drainable>();
  readonly #unsubscribe: (() => void) | undefined;
  #unregistered = 0;
  #draining = false;
  #closing: Promise<void> | undefined;

  constructor(o: InboundRuntimeOptions) {
    this.service = o.service;
    this.clock = o.clock;
    this.log = o.log;
    this.#config = o.config;
    this.registrar = o.registrar ?? noopRegistrar;
    this.env = {
      service: o.service,
      clock: o.clock,
      log: o.log,
      wheel: o.wheel,
      load: new LoadReporter(o.clock, o.elu),
      metrics: new ServerMetrics(o.metrics, o.service, o.mtls?.mode === 'permissive', o.stats),
      peerOf: o.peerOf ?? (o.mtls ? mtlsPeer : plaintextPeer),
      mtls: o.mtls !== undefined,
      propagates: o.propagates ?? always,
      ...(o.tracing && { tracing: o.tracing }),
      ...(o.access && { access: o.access }),
      ...(o.accessLog && { accessLog: { control: o.accessLog, identity: o.mtls?.identity.spiffeId } }),
    };
    const refused = o.metrics.tlsRefused;
    this.tls = o.mtls && { ...o.mtls, onRefused: (reason) => refused.inc({ reason }) };
    this.readiness = new Readiness(o.clock);
    this.readiness.add('serving', () => !this.#draining);
    this.readiness.add('registered', () => this.#unregistered === 0);
    this.#unsubscribe = o.subscribe?.((cfg) => this.#apply(cfg));
  }

  get draining(): boolean {
    return this.#draining;
  }

  get config(): InboundConfig {
    return this.#config();
  }

  /** Requests running in an application or queued for admission, over every stack (the `inmesh_server_requests_in_flight` gauge). */
  get inFlight(): number {
    let n = 0;
    for (const stack of this.#stacks.keys()) n += stack.running + stack.queued;
    return n;
  }

  /** The config's inbound block with `o` applied (throws on a bad override). */
  settings(o: InboundOverrides = {}): InboundSettings {
    return inboundSettings(this.#config(), o);
  }

  /** A stack for one application; it follows config reloads until released. */
  createStack(o: InboundOverrides = {}): InboundStack {
    if (this.#draining) throw new MeshError('MESH_ERR_CLOSED', 'the mesh is closing: no new inbound stacks');
    const stack = new InboundStack(this.settings(o), this.env);
    this.#stacks.set(stack, { overrides: o, served: false });
    return stack;
  }

  releaseStack(stack: InboundStack): void {
    this.#stacks.delete(stack);
  }

  /** A listener drains `stack` itself; the runtime's drain leaves it to the listener. */
  adopt(stack: InboundStack): void {
    const entry = this.#stacks.get(stack);
    if (entry) entry.served = true;
  }

  /** Counts a served instance as not yet registered (readiness waits); call the result once it is. */
  registering(): () => void {
    this.#unregistered++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#unregistered--;
    };
  }

  /** Adds a listener to drain on shutdown; returns a function that removes it. */
  track(d: Drainable): () => void {
    this.#served.add(d);
    return () => this.#served.delete(d);
  }

  /**
   * Drains the workload: not ready at once, then every listener drains (deregister, stop
   * accepting, finish in-flight requests up to the drain timeout), and stacks of applications
   * that own their listener finish their in-flight requests under the same timeout.
   */
  close(): Promise<void> {
    this.#closing ??= this.#drainAll();
    return this.#closing;
  }

  async #drainAll(): Promise<void> {
    this.#draining = true;
    this.#unsubscribe?.();
    const timeoutMs = this.#config().drainTimeout;
    const work: Promise<void>[] = [...this.#served].map((d) => d.drain(true));
    for (const [stack, entry] of this.#stacks) {
      if (entry.served) continue;
      stack.beginDrain();
      work.push(drainStack(stack, this.#drainTimeout(entry.overrides, timeoutMs), this.clock).then(() => undefined));
    }
    await Promise.all(work);
  }

  #drainTimeout(o: InboundOverrides, fallback: number): number {
    try {
      return this.settings(o).drainTimeout;
    } catch {
      return fallback;
    }
  }

  #apply(cfg: InboundConfig): void {
    for (const [stack, entry] of this.#stacks) {
      try {
        stack.reconfigure(inboundSettings(cfg, entry.overrides));
      } catch (err) {
        this.log.warn('inbound limits not reloaded', { err });
      }
    }
  }
}

/** Waits for a stack's in-flight requests, up to `timeoutMs`; then cancels what is left. */
export async function drainStack(stack: InboundStack, timeoutMs: number, clock: Clock): Promise<boolean> {
  const inTime = await within(stack.idle(), timeoutMs, clock);
  if (!inTime) stack.abort(new MeshError('MESH_ERR_CLOSED', `the server stopped: drain timeout of ${timeoutMs} ms passed`));
  return inTime;
}

function plaintextPeer(): undefined {
  return undefined;
}

/** The SPIFFE ID the mTLS front put on the request's connection; undefined for a plaintext one (permissive). */
function mtlsPeer(req: InboundRequest): string | undefined {
  return peerIdOf(req.socket);
}
