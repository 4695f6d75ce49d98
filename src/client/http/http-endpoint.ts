import { Pool } from 'undici';
import { TransportError, type Endpoint, type EndpointStatus, type Service, type Stack } from '../../core/index.js';
import type { EndpointSpec } from '../../config/types.js';
import { PeakEwma } from '../../balancer/peak-ewma.js';
import type { EndpointSeries } from '../../telemetry/index.js';
import type { HttpRequest, HttpResponse } from './http-types.js';
import { transport } from './transport.js';
import { endpointConnector, type EndpointTls } from './endpoint-connector.js';
import type { ClientEnv } from '../client-env.js';
import type { DestinationPolicy } from '../destination-policy.js';

/** What endpoint-stack modules may read: their endpoint's own state, never the destination's. */
export interface EndpointParams {
  readonly destination: string;
  readonly spec: EndpointSpec;
  readonly ewma: PeakEwma;
  readonly series: EndpointSeries;
  readonly policy: DestinationPolicy;
  /** Takes the event-loop utilisation the server reported, as of Clock time `now`. */
  readonly reportLoad: (elu: number, now: number) => void;
  /** The breaker module hands its breaker to the endpoint, whose status then follows it. */
  readonly setBreaker: (breaker: BreakerView) => void;
  /** The endpoint breaker's state ('closed', 'open', 'half-open'), or undefined with no breaker. */
  readonly breakerState: () => string | undefined;
}

/** What the endpoint reads of the breaker the breaker module made. */
export interface BreakerView {
  status(): 'open' | 'busy';
  readonly state: string;
  shutdown(): void;
}

export interface HttpEndpointOptions {
  readonly destination: string;
  /** The logical authority, e.g. `orders`: the Host header requests carry. */
  readonly authority: string;
  readonly spec: EndpointSpec;
  readonly connections: number;
  /** undici's headersTimeout and bodyTimeout for the endpoint's connections (the service's `idleTimeout`). */
  readonly idleTimeout: number;
  readonly decay: number;
  readonly stack: Stack<EndpointParams, ClientEnv>;
  readonly env: ClientEnv;
  readonly policy: DestinationPolicy;
  /** mTLS to this endpoint (a mesh service while identity is on); absent: plaintext. */
  readonly tls?: EndpointTls;
}

/** A load report older than this no longer counts: the server may long have recovered. */
const LOAD_REPORT_TTL_MS = 5000;
/** Utilisation is capped below 1 so that a saturated server's cost stays finite (1/(1-ρ) ≤ 20). */
const MAX_UTILISATION = 0.95;

/** One member of a destination: an undici Pool (keep-alive connections), its load, and its stack. */
export class HttpEndpoint implements Endpoint<HttpRequest, HttpResponse> {
  readonly address: string;
  readonly spec: EndpointSpec;
  readonly labels: Readonly<Record<string, string>>;
  readonly weight: number;
  readonly call: Service<HttpRequest, HttpResponse>;
  readonly ewma: PeakEwma;
  #pool: Pool | undefined;
  readonly #authority: string;
  readonly #connections: number;
  #idleTimeout: number;
  readonly #env: ClientEnv;
  readonly #destination: string;
  #closed = false;
  #elu = 0;
  #eluAt = -Infinity;
  #breaker: BreakerView | undefined;
  readonly #policy: DestinationPolicy;
  readonly #tls: EndpointTls | undefined;

  constructor(o: HttpEndpointOptions) {
    this.#tls = o.tls;
    this.address = o.spec.address;
    this.spec = o.spec;
    this.labels = o.spec.labels;
    this.weight = o.spec.weight;
    this.#env = o.env;
    this.#destination = o.destination;
    this.#policy = o.policy;
    this.ewma = new PeakEwma({ decay: o.decay, clock: o.env.clock });
    this.#authority = o.authority;
    this.#connections = o.connections;
    this.#idleTimeout = o.idleTimeout;
    const params: EndpointParams = {
      destination: o.destination,
      spec: o.spec,
      ewma: this.ewma,
      series: o.env.metrics.endpointSeries(o.destination, o.spec.address),
      policy: o.policy,
      setBreaker: (b) => {
        this.#breaker = b;
      },
      breakerState: () => this.#breaker?.state,
      reportLoad: (elu, now) => {
        // A NaN here would make the cost NaN, which loses (or wins) every comparison.
        if (!(elu >= 0 && elu <= 1)) return;
        this.#elu = Math.min(MAX_UTILISATION, elu);
        this.#eluAt = now;
      },
    };
    this.call = o.stack.build(params, o.env, transport(this, this.address, o.env.clock));
  }

  /**
   * The endpoint's connection pool, made on first use: an idle undici Pool costs ~19 KB, which
   * for a workload that configures hundreds of destinations but calls a few is most of its footprint.
   */
  get pool(): Pool {
    // A picker snapshot may still hold an endpoint that discovery removed; its pool is closed for good.
    if (this.#closed) throw new TransportError('connect-failure', `${this.address}: endpoint left ${this.#destination}`, { endpoint: this.address, service: this.#destination });
    return (this.#pool ??= new Pool(`http://${this.#authority}`, {
      connections: this.#connections,
      pipelining: 1,
      // The guard of calls with no deadline; a deadline ends a call sooner, body included.
      headersTimeout: this.#idleTimeout,
      bodyTimeout: this.#idleTimeout,
      connect: endpointConnector(this.spec.host, this.spec.port, this.#tls),
      allowH2: this.#tls?.http2 === true,
    }));
  }

  /**
   * A new `idleTimeout` (a reload): undici fixes it per Pool, so the current pool drains its
   * calls in flight and closes, and the next call makes a pool with the new value.
   */
  setIdleTimeout(ms: number): void {
    if (ms === this.#idleTimeout) return;
    this.#idleTimeout = ms;
    const old = this.#pool;
    this.#pool = undefined;
    void old?.close().catch(() => undefined);
  }

  /** `busy` while its breaker is open or outlier detection has ejected it: the balancer passes it by while others are open. */
  status(): EndpointStatus {
    if (this.#closed) return 'closed';
    if (this.#breaker?.status() === 'busy' || this.#policy.isEjected(this.address)) return 'busy';
    return 'open';
  }

  pending(): number {
    return this.ewma.pending;
  }

  /**
   * Peak-EWMA cost, scaled by 1/(1−ρ) for the event-loop utilisation ρ the server last
   * reported (queueing delay grows so with load), so a busy or blocked instance loses traffic
   * before its latency shows it. A report older than 5 s no longer counts.
   */
  load(): number {
    if (this.#elu === 0 || this.#env.clock.now() - this.#eluAt > LOAD_REPORT_TTL_MS) return this.ewma.cost();
    // The same factor spaces out the probes of a stale estimate: a server that says it is 92% busy
    // is probed 12.5 times less often than an idle one.
    const slowdown = 1 / (1 - this.#elu);
    return this.ewma.cost(slowdown) * slowdown;
  }

  /** Stops taking new calls and lets calls in flight finish (undici's Pool.close drains). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#breaker?.shutdown();
    this.#env.metrics.removeEndpoint(this.#destination, this.address);
    await this.#pool?.close();
  }
}
