import type { z } from 'zod';
import type { SchemaParts } from './schema-parts.js';
import type { buildRetriesSchema } from './schema-retries.js';
import type { Zod } from './zod-library.js';

export function buildRouteSchema(z: Zod, { count, headerName, httpMethod, percent, positiveDuration, shortDuration, shortName }: SchemaParts, { retriesSchema }: ReturnType<typeof buildRetriesSchema>) {
  /**
   * A string match. In mesh.yaml a plain string is shorthand: for a path, a trailing `*` makes it a
   * prefix (`/api/*`) and anything else is exact; for a header, a plain string is exact.
   * The object form names exactly one of its keys (checked at normalisation).
   */
  const stringMatchObject = z.strictObject({
    exact: z.string().optional(),
    prefix: z.string().optional(),
    regex: z.string().optional(),
  });

  const pathMatch = z
    .union([z.string(), stringMatchObject])
    .describe("A path: '/exact', '/prefix/*', or one of { exact }, { prefix }, { regex }.");

  const headerMatch = z
    .union([z.string(), stringMatchObject.extend({ present: z.boolean().optional() })])
    .describe("A header value: 'exact', or one of { exact }, { prefix }, { regex }, { present }.");

  const routeMatchSchema = z.strictObject({
    path: pathMatch.optional(),
    /** `method` is shorthand for a one-element `methods`; give one or the other. */
    method: httpMethod.optional(),
    methods: z.array(httpMethod).min(1).optional(),
    headers: z.record(headerName, headerMatch).optional(),
  });

  const backendSchema = z.strictObject({
    /** A subset name; absent = every endpoint of the service. */
    subset: shortName.optional(),
    /** Percent of the route's traffic; weights of a route's backends add up to 100. */
    weight: percent.optional(),
  });

  const faultSchema = z.strictObject({
    delay: z.strictObject({ percent: percent.optional(), duration: shortDuration }).optional(),
    abort: z.strictObject({ percent: percent.optional(), status: count(100, 599) }).optional(),
  });

  const hedgeSchema = z.strictObject({
    /** Send another attempt if no answer has come after this long. */
    delay: shortDuration,
    /** Attempts in flight at most, the first included. */
    maxAttempts: count(2, 10).optional(),
  });

  const mirrorSchema = z.strictObject({
    /** Copies of requests go here (fire and forget); absent = the service's endpoints. */
    subset: shortName.optional(),
    percent: percent.optional(),
  });

  const routeSchema = z.strictObject({
    name: shortName.optional(),
    match: routeMatchSchema.optional(),
    backends: z
      .array(backendSchema)
      .min(1, { error: 'a route needs at least one backend (omit backends for all endpoints)' })
      .optional()
      .describe('Traffic split: subsets with weights adding up to 100; one backend may omit its weight.'),
    timeout: positiveDuration.optional(),
    perTryTimeout: positiveDuration.optional(),
    retries: retriesSchema.optional(),
    /** Shorthand for `retries.retryNonIdempotent`: allows retrying POST and PATCH on this route. */
    retryNonIdempotent: z.boolean().optional(),
    fault: faultSchema.optional(),
    hedge: hedgeSchema.optional(),
    mirror: mirrorSchema.optional(),
  });
  return { pathMatch, headerMatch, routeMatchSchema, backendSchema, faultSchema, hedgeSchema, mirrorSchema, routeSchema };
}

type RouteSchemas = ReturnType<typeof buildRouteSchema>;
export type RawRoute = z.infer<RouteSchemas['routeSchema']>;
export type RawRouteMatch = z.infer<RouteSchemas['routeMatchSchema']>;
export type RawStringMatch = z.infer<RouteSchemas['headerMatch']>;
