import type { z } from 'zod';
import type { SchemaParts } from './schema-parts.js';
import type { Zod } from './zod-library.js';

export const RETRY_ON_KINDS = ['connect-failure', 'reset', 'refused-stream', 'timeout', '5xx', 'gateway-error'] as const;

export function buildRetriesSchema(z: Zod, { count, ratio, shortDuration, shortPositiveDuration }: SchemaParts) {
  /** A condition that makes a call retryable: a failure kind or an HTTP status code. */
  const statusError = (iss: { input?: unknown }) => `a status to retry on must be from 400 to 599, got ${String(iss.input)}`;
  const retryOn = z.union([z.enum(RETRY_ON_KINDS), z.int().min(400, { error: statusError }).max(599, { error: statusError })]);

  const retriesSchema = z.strictObject({
    /** Total attempts including the first; 1 turns retries off. */
    attempts: count(1, 10).optional(),
    /**
     * Retries may add at most this fraction of the request rate (Finagle/Linkerd retry budget).
     * Capped at 1: a budget above 1 would let retries more than double the load on a struggling service.
     */
    budget: ratio('retry budget').optional(),
    minRetriesPerSecond: z.number().min(0, { error: 'must be at least 0' }).optional(),
    on: z.array(retryOn).optional(),
    backoff: z.strictObject({ base: shortPositiveDuration.optional(), max: shortDuration.optional() }).optional(),
    retryNonIdempotent: z.boolean().optional(),
    maxBodyBytes: count(0).optional(),
  });
  return { retryOn, retriesSchema };
}

export type RawRetries = z.infer<ReturnType<typeof buildRetriesSchema>['retriesSchema']>;
