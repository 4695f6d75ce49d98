import { z } from 'zod';
import { count, headerName, httpMethod, percent, positiveDuration, shortDuration, shortName } from './schema-parts.js';
import { retriesSchema } from './schema-retries.js';

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

export const pathMatch = z
  .union([z.string(), stringMatchObject])
  .describe("A path: '/exact', '/prefix/*', or one of { exact }, { prefix }, { regex }.");

export const headerMatch = z
  .union([z.string(), stringMatchObject.extend({ present: z.boolean().optional() })])
  .describe("A header value: 'exact', or one of { exact }, { prefix }, { regex }, { present }.");

export const routeMatchSchema = z.strictObject({
  path: pathMatch.optional(),
  /** `method` is shorthand for a one-element `methods`; give one or the other. */
  method: httpMethod.optional(),
  methods: z.array(httpMethod).min(1).optional(),
  headers: z.record(headerName, headerMatch).optional(),
});

export const backendSchema = z.strictObject({
  /** A subset name; absent = every endpoint of the service. */
  subset: shortName.optional(),
  /** Percent of the route's traffic; weights of a route's backends add up to 100. */
  weight: percent.optional(),
});

export const faultSchema = z.strictObject({
  delay: z.strictObject({ percent: percent.optional(), duration: shortDuration }).optional(),
  abort: z.strictObject({ percent: percent.optional(), status: count(100, 599) }).optional(),
});

export const hedgeSchema = z.strictObject({
  /** Send another attempt if no answer has come after this long. */
  delay: shortDuration,
  /** Attempts in flight at most, the first included. */
  maxAttempts: count(2, 10).optional(),
});

export const mirrorSchema = z.strictObject({
  /** Copies of requests go here (fire and forget); absent = the service's endpoints. */
  subset: shortName.optional(),
  percent: percent.optional(),
});

export const routeSchema = z.strictObject({
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

export type RawRoute = z.infer<typeof routeSchema>;
export type RawRouteMatch = z.infer<typeof routeMatchSchema>;
export type RawStringMatch = z.infer<typeof headerMatch>;
