import type { z } from 'zod';
import type { SchemaParts } from './schema-parts.js';
import type { buildRetriesSchema } from './schema-retries.js';
import type { buildRouteSchema } from './schema-route.js';
import type { Zod } from './zod-library.js';

export const LOAD_BALANCER_KINDS = ['p2c-ewma', 'least-request', 'round-robin', 'ring-hash'] as const;

export function buildServiceSchema(z: Zod, { count, headerName, labels, percent, positiveDuration, shortName, shortPositiveDuration }: SchemaParts, { retriesSchema }: ReturnType<typeof buildRetriesSchema>, { routeSchema }: ReturnType<typeof buildRouteSchema>) {
  /** `"host:port"` (IPv6 in brackets: `"[::1]:8080"`), or an object with labels and a weight. */
  const endpointSchema = z
    .union([
      z.string(),
      z.strictObject({
        address: z.string(),
        labels: labels.optional(),
        weight: z.number().positive({ error: 'must be greater than 0' }).optional(),
      }),
    ])
    .describe("'host:port', or { address: 'host:port', labels: {...}, weight }.");

  /**
   * Where endpoints come from when they are not listed: `{ dns: name, port, type, interval, labels }`
   * (A/AAAA/ANY need a port, SRV records carry theirs; a name starting with `_` defaults to SRV), or
   * `{ control: true }` for the control daemon's registry. Exactly one of `dns` and `control`.
   */
  const discoverySchema = z.strictObject({
    dns: z.string().min(1).optional(),
    port: count(1, 65_535).optional(),
    type: z.enum(['A', 'AAAA', 'ANY', 'SRV']).optional(),
    interval: positiveDuration.optional(),
    labels: labels.optional(),
    control: z.literal(true).optional(),
  });

  const loadBalancerKind = z.enum(LOAD_BALANCER_KINDS);

  const loadBalancerSchema = z.union([
    loadBalancerKind,
    z.strictObject({
      kind: loadBalancerKind.optional(),
      hashHeader: headerName.optional(),
      virtualNodes: count(1, 10_000).optional(),
      decay: shortPositiveDuration.optional(),
    }),
  ]);

  const circuitBreakerSchema = z.strictObject({
    errorThresholdPercentage: percent.optional(),
    volumeThreshold: count(1).optional(),
    resetTimeout: positiveDuration.optional(),
    rollingCountTimeout: positiveDuration.optional(),
  });

  const outlierDetectionSchema = z.strictObject({
    consecutive5xx: count(1).optional(),
    consecutiveConnectFailures: count(1).optional(),
    interval: positiveDuration.optional(),
    baseEjectionTime: positiveDuration.optional(),
    maxEjectionPercent: percent.optional(),
    successRateStdevFactor: z.number().positive({ error: 'must be greater than 0' }).optional(),
    successRateMinimumHosts: count(1).optional(),
    successRateRequestVolume: count(1).optional(),
  });

  const concurrencySchema = z.strictObject({
    maxInFlight: count(1),
    maxPending: count(0).optional(),
  });

  const serviceSchema = z.strictObject({
    endpoints: z.array(endpointSchema).optional().describe('Static endpoints; give either endpoints or discovery.'),
    discovery: discoverySchema.optional().describe('{ dns: name, port, type, interval, labels } or { control: true }.'),
    tls: z.enum(['mesh', 'none']).optional().describe('mesh: mTLS with SPIFFE verification (the default); none: a destination outside the mesh.'),
    loadBalancer: loadBalancerSchema.optional().describe('p2c-ewma (the default), least-request, round-robin or ring-hash; or { kind, hashHeader, virtualNodes, decay }.'),
    timeout: positiveDuration.optional().describe('Total time for a call, retries included.'),
    perTryTimeout: positiveDuration.optional().describe('Time for one attempt.'),
    idleTimeout: positiveDuration.optional().describe('Longest wait for the response head, and between two chunks of its body, before the connection is closed (default 60s).'),
    retries: retriesSchema.optional().describe('Retry policy; off (attempts 1) unless configured.'),
    circuitBreaker: circuitBreakerSchema.optional(),
    // On by default (Linkerd's failure accrual is): `false` turns it off.
    outlierDetection: z.union([z.literal(false), outlierDetectionSchema]).optional(),
    concurrency: concurrencySchema.optional(),
    /** Subset name → the labels an endpoint must carry to belong to it. */
    subsets: z.record(shortName, labels).optional().describe('Subset name → labels its endpoints carry. A static endpoint labelled version: X also defines subset X.'),
    routes: z.array(routeSchema).optional().describe('Routes in order; the first whose match fits a request takes it.'),
    connections: count(1, 1_024).optional().describe('HTTP connections per endpoint (default 64).'),
    http2: z.boolean().optional().describe('Offer HTTP/2 by ALPN on mTLS connections (the server picks); default HTTP/1.1, the faster path of the HTTP client.'),
  });
  return { endpointSchema, discoverySchema, loadBalancerSchema, circuitBreakerSchema, outlierDetectionSchema, concurrencySchema, serviceSchema };
}

type ServiceSchemas = ReturnType<typeof buildServiceSchema>;
export type RawService = z.infer<ServiceSchemas['serviceSchema']>;
export type RawEndpoint = z.infer<ServiceSchemas['endpointSchema']>;
