import type { MeshMetrics } from '../telemetry/index.js';
import type { BreakerState } from '../resilience/index.js';
import type { Destination } from './destination.js';

/** `inmesh_circuit_state` spells the half-open state with an underscore, as Prometheus enum values usually are. */
const STATES: ReadonlyArray<readonly [BreakerState, string]> = [
  ['closed', 'closed'],
  ['open', 'open'],
  ['half-open', 'half_open'],
];

/**
 * Feeds the client's gauges from state it keeps anyway, read at scrape time: endpoint counts by
 * state, breaker states and attempts in flight. Nothing is written per request. `destinations`
 * is read at each scrape, so it follows config reloads; returns the function that stops it.
 *
 * @example
 * const stop = collectClientGauges(metrics, () => client.destinations.values());
 */
export function collectClientGauges(metrics: MeshMetrics, destinations: () => Iterable<Destination>): () => void {
  const offs = [
    metrics.circuitState.addCollector((emit) => {
      for (const d of destinations()) {
        const destination_service = d.name;
        for (const e of d.endpoints) {
          const current = d.policy.breakerState(e.address);
          if (current === undefined) continue;
          for (const [state, label] of STATES) emit({ destination_service, endpoint: e.address, state: label }, state === current ? 1 : 0);
        }
        // The service-wide guard is derived from the endpoint breakers: it has no half-open state of its own.
        if (d.config.circuitBreaker === undefined) continue;
        const open = d.policy.serviceCircuitIsOpen;
        emit({ destination_service, endpoint: '', state: 'closed' }, open ? 0 : 1);
        emit({ destination_service, endpoint: '', state: 'open' }, open ? 1 : 0);
        emit({ destination_service, endpoint: '', state: 'half_open' }, 0);
      }
    }),
    metrics.endpoints.addCollector((emit) => {
      for (const d of destinations()) {
        let healthy = 0;
        let ejected = 0;
        let open = 0;
        for (const e of d.endpoints) {
          const breaker = d.policy.breakerState(e.address);
          if (d.policy.isEjected(e.address)) ejected++;
          else if (breaker === 'open' || breaker === 'half-open') open++;
          else healthy++;
        }
        // All three, zeros included, so a query for one state never finds it missing.
        emit({ destination_service: d.name, state: 'healthy' }, healthy);
        emit({ destination_service: d.name, state: 'ejected' }, ejected);
        emit({ destination_service: d.name, state: 'open' }, open);
      }
    }),
    metrics.requestsInFlight.addCollector((emit) => {
      for (const d of destinations()) {
        let pending = 0;
        for (const e of d.endpoints) pending += e.pending();
        emit({ destination_service: d.name }, pending);
      }
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
