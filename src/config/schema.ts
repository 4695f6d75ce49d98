import type { z } from 'zod';
import { buildSchemaParts, DAY_MS, NAME_PATTERN } from './schema-parts.js';
import { buildRetriesSchema } from './schema-retries.js';
import { buildAccessSchemas } from './schema-access.js';
import { buildRouteSchema } from './schema-route.js';
import { buildServiceSchema } from './schema-service.js';
import { zodLibrary, type Zod } from './zod-library.js';

/**
 * The raw mesh.yaml, as written: every object is strict (an unknown key is an error), every key is
 * optional except what a block cannot work without. Defaults and cross-field rules live in
 * normalize.ts, so this schema stays a faithful description for `z.toJSONSchema` and editors.
 * Built with the `z` given; meshSchemas holds the copy validation uses.
 */
export function buildMeshSchema(z: Zod) {
  const parts = buildSchemaParts(z);
  const { boundedDuration, count, headerName, httpUrl, labels, listenPort, ratio, positiveDuration, serviceName, shortPositiveDuration } = parts;
  const retries = buildRetriesSchema(z, parts);
  const { serviceSchema } = buildServiceSchema(z, parts, retries, buildRouteSchema(z, parts, retries));

  // Workload certificates are short-lived; a week is the longest rotation period that makes sense.
  const certTtl = boundedDuration({ max: 7 * DAY_MS, positive: true });

  const identitySchema = z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('dev'), dir: z.string().min(1).optional(), certTtl: certTtl.optional() }),
    z.strictObject({
      mode: z.literal('control'),
      certTtl: certTtl.optional(),
      token: z.string().min(1).optional().describe('The join token the control daemon issued for this workload (e.g. ${INMESH_JOIN_TOKEN}).'),
      caFile: z.string().min(1).optional().describe("PEM CAs to trust for the daemon's own TLS until this workload has the mesh's trust bundle."),
    }),
    z.strictObject({ mode: z.literal('files'), certFile: z.string().min(1), keyFile: z.string().min(1), caFile: z.string().min(1) }),
    z.strictObject({ mode: z.literal('none') }),
  ]);

  const controlSchema = z.strictObject({
    url: httpUrl,
    caFile: z.string().min(1).optional().describe("PEM CAs to trust for the daemon's TLS until this workload has the mesh's trust bundle (default: identity.caFile)."),
    cacheDir: z.string().min(1).optional().describe("Where the daemon's last good configuration, endpoint sets and certificate are kept, per service (default .inmesh/cache)."),
    instance: z
      .strictObject({
        version: z.string().min(1).max(63).optional().describe('This workload\'s version, published as the `version` label of its instances (subsets).'),
        labels: labels.optional().describe('Labels published with every instance mesh.serve registers.'),
        lease: boundedDuration({ max: 300_000, positive: true }).optional().describe('How long the registry keeps an instance without renewal (2s..300s, default 10s); renewed every third of it.'),
      })
      .optional()
      .describe('How mesh.serve registers this workload\'s instances with the control registry.'),
    store: z.enum(['memory', 'file', 'etcd']).optional(),
    etcd: z.strictObject({ endpoints: z.array(httpUrl).min(1), prefix: z.string().optional() }).optional(),
  });

  const { authorizationRuleSchema, authenticationSchema } = buildAccessSchemas(z, parts);

  const adminSchema = z.strictObject({ port: listenPort.optional(), host: z.string().min(1).optional() });

  const inboundSchema = z.strictObject({
    port: listenPort.optional(),
    host: z.string().min(1).optional(),
    maxConcurrent: count(1).optional(),
    maxQueue: count(0).optional(),
    rateLimit: z
      .strictObject({ rps: z.number().positive({ error: 'must be greater than 0' }), burst: count(1).optional(), perCaller: z.boolean().optional() })
      .optional(),
    adaptiveConcurrency: z
      .union([
        z.boolean(),
        z.strictObject({
          initialLimit: count(1).optional(),
          minLimit: count(1).optional(),
          maxLimit: count(1).optional(),
          tolerance: z.number().min(1, { error: 'must be at least 1 (1.5 tolerates latency 50% above the long-term average)' }).optional(),
          window: shortPositiveDuration.optional(),
        }),
      ])
      .optional()
      .describe('A concurrency limit that follows latency (gradient, as in Netflix concurrency-limits); true for the defaults.'),
    timeout: positiveDuration.optional().describe("Caps every request's deadline, also when the caller sent none."),
    drainTimeout: positiveDuration.optional(),
    headersTimeout: positiveDuration.optional().describe("How long a client has to send a request's head (HTTP/1.1); then 408. Default 10s."),
    requestTimeout: positiveDuration.optional().describe('How long a client has to send a whole request, head and body (HTTP/1.1); then 408. Default 300s.'),
    keepAliveTimeout: positiveDuration.optional().describe('How long an idle HTTP/1.1 keep-alive connection stays open. Default 5s.'),
    mtls: z
      .enum(['strict', 'permissive'])
      .optional()
      .describe('permissive (the default): mTLS and plaintext on one port, for callers outside the mesh and migrations; strict: mTLS only (plaintext gets 426).'),
  });

  const accessLogSchema = z.strictObject({
    sampleRatio: ratio('sampleRatio').optional().describe('The share of requests logged (default 1: all).'),
    headers: z.array(headerName).max(32).optional().describe('Request headers whose values are logged (none by default: header values may carry credentials).'),
    inbound: z.boolean().optional().describe('Log requests this workload serves (default true).'),
    outbound: z.boolean().optional().describe('Log calls this workload makes to mesh services (default true).'),
    path: z.string().min(1).optional().describe('A file to append to instead of standard output.'),
  });

  const telemetrySchema = z.strictObject({
    tracing: z
      .strictObject({
        exporter: z.enum(['none', 'otlp', 'zipkin', 'console']).optional(),
        endpoint: httpUrl.optional(),
        sampleRatio: ratio('sampleRatio').optional(),
        propagators: z
          .array(z.enum(['tracecontext', 'baggage', 'b3', 'b3multi']))
          .min(1)
          .optional()
          .describe('Trace headers read from requests and written on calls (default: tracecontext, baggage). b3 is the single B3 header, b3multi the X-B3-* headers.'),
      })
      .optional(),
    accessLog: z
      .union([z.boolean(), accessLogSchema])
      .optional()
      .describe('One JSON line per request (pino fields): true, or the sampling, logged headers and destination.'),
    stats: z
      .strictObject({ window: shortPositiveDuration.optional().describe('The sliding window of mesh.stats() (default 60s).') })
      .optional(),
  });

  const rawMeshSchema = z.strictObject({
    mesh: z.string().regex(NAME_PATTERN, { error: (iss) => `invalid mesh name ${JSON.stringify(iss.input)}: use lowercase letters, digits, '-' and '.'` }).optional(),
    trustDomain: z
      .string()
      .regex(/^[a-z0-9._-]{1,255}$/, { error: (iss) => `invalid trust domain ${JSON.stringify(iss.input)}: use lowercase letters, digits, '.', '-' and '_'` })
      .optional(),
    identity: identitySchema.optional().describe('Where this workload gets its certificate: dev (a local CA in .inmesh/, the default), control, files or none.'),
    control: controlSchema.optional().describe('The control daemon: configuration, endpoint registry and certificates.'),
    outbound: z.enum(['passthrough', 'deny']).optional().describe('Calls to hosts that are not mesh services: passthrough (the default) or deny.'),
    services: z.record(serviceName, serviceSchema).optional().describe('Destination services by name: the host names mesh calls use.'),
    authorization: z
      .record(serviceName, z.array(authorizationRuleSchema))
      .optional()
      .describe(
        'Inbound rules per served service (Istio AuthorizationPolicy): a matching deny rule refuses (403); once a service has rules, a request no allow rule matches is refused; no entry allows all, an empty list denies all.',
      ),
    authentication: z
      .record(serviceName, authenticationSchema)
      .optional()
      .describe('End-user authentication per served service (Istio RequestAuthentication): JWTs verified against each issuer\'s keys; an invalid token is refused (401), a request without one passes on to authorization.'),
    admin: adminSchema.optional().describe('The admin listener for /metrics, /healthz and /readyz; no port = no listener, 0 = a free port.'),
    inbound: inboundSchema.optional().describe('The listener of mesh.serve and its admission limits.'),
    telemetry: telemetrySchema.optional().describe('Tracing exporter and sampling, access log.'),
  });
  return { rawMeshSchema, serviceSchema };
}

export type MeshSchemas = ReturnType<typeof buildMeshSchema>;
export type RawMesh = z.infer<MeshSchemas['rawMeshSchema']>;

let held: WeakRef<MeshSchemas> | undefined;

/**
 * The schemas validation uses, built on first use and held weakly: a burst of validations (start,
 * a reload, `inmesh check`) shares one copy, and between reloads the garbage collector may take
 * it (zod schema objects are about 1 MB of heap) and the next validation builds it again.
 */
export function meshSchemas(): MeshSchemas {
  let schemas = held?.deref();
  if (!schemas) held = new WeakRef((schemas = buildMeshSchema(zodLibrary().z)));
  return schemas;
}
