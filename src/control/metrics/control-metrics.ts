import { Counter, Gauge, Registry } from 'prom-client';

export interface ControlMetricsSources {
  readonly instancesByService: () => ReadonlyMap<string, number>;
  readonly watchers: () => { readonly blocking: number; readonly stream: number };
  readonly configVersion: () => number;
}

/** Methods outside this set are counted as `other`, so a client cannot mint label values. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

export type IssuanceResult = 'issued' | 'refused' | 'rate_limited';

/**
 * The daemon's own metrics, in a private prom-client Registry (never the global one). Gauges
 * are read from their sources when scraped. Label values come from route templates, known
 * methods, status codes and services a caller proved it may speak for, so their number stays bounded.
 */
export class ControlMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #issued: Counter<'service' | 'result'>;

  constructor(sources: ControlMetricsSources) {
    const registers = [this.registry];
    this.#requests = new Counter({ name: 'inmesh_control_requests_total', help: 'API requests answered, by route template, method and status', labelNames: ['route', 'method', 'status'], registers });
    this.#issued = new Counter({ name: 'inmesh_control_certificates_issued_total', help: 'Certificate requests, by service and result', labelNames: ['service', 'result'], registers });
    new Gauge({
      name: 'inmesh_control_registry_instances',
      help: 'Registered instances, by service',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const [service, n] of sources.instancesByService()) this.set({ service }, n);
      },
    });
    new Gauge({
      name: 'inmesh_control_watchers',
      help: 'Watches in flight: parked blocking queries and open event streams',
      labelNames: ['kind'],
      registers,
      collect() {
        const w = sources.watchers();
        this.set({ kind: 'blocking' }, w.blocking);
        this.set({ kind: 'stream' }, w.stream);
      },
    });
    new Gauge({
      name: 'inmesh_control_config_version',
      help: 'The version of the mesh configuration in force',
      registers,
      collect() {
        this.set(sources.configVersion());
      },
    });
  }

  request(route: string, method: string, status: number): void {
    this.#requests.inc({ route, method: KNOWN_METHODS.has(method) ? method : 'other', status: String(status) });
  }

  /** `service` is `-` when the caller had not proved which service it speaks for. */
  issuance(service: string, result: IssuanceResult): void {
    this.#issued.inc({ service, result });
  }
}
