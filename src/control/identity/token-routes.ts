import { ControlPaths, type TokenBody } from '../../experimental.js';
import type { DaemonContext } from '../daemon-context.js';
import { badRequest, unauthenticated } from '../http/control-http-error.js';
import { readJsonObject } from '../http/read-body.js';
import { sendJson } from '../http/respond.js';
import type { RequestContext, Route } from '../http/router.js';
import { checkServiceName } from '../names.js';
import { JOIN_TOKEN_MAX_TTL_SECONDS, JOIN_TOKEN_MIN_TTL_SECONDS } from './join-tokens.js';

const KEYS = new Set(['service', 'ttlSeconds', 'singleUse']);

/** `POST /v1/tokens` (admin): a join token for one service. */
export function tokenRoutes(d: DaemonContext): Route[] {
  async function create({ req, res }: RequestContext): Promise<void> {
    if (!d.isAdmin(req)) throw unauthenticated('creating a join token needs the admin token (authorization: Bearer …)');
    const body = await readJsonObject(req, d.bodyTimeoutMs);
    for (const key of Object.keys(body)) if (!KEYS.has(key)) throw badRequest(`unknown field ${JSON.stringify(key.slice(0, 60))}; expected service, ttlSeconds, singleUse`);
    const service = checkServiceName(body.service);
    const ttl = body.ttlSeconds;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < JOIN_TOKEN_MIN_TTL_SECONDS || ttl > JOIN_TOKEN_MAX_TTL_SECONDS) {
      throw badRequest(`ttlSeconds must be a whole number from ${JOIN_TOKEN_MIN_TTL_SECONDS} to ${JOIN_TOKEN_MAX_TTL_SECONDS} (30 days)`);
    }
    if (body.singleUse !== undefined && typeof body.singleUse !== 'boolean') throw badRequest('singleUse must be true or false');
    const made = await d.joinTokens.create(service, ttl, body.singleUse ?? true);
    d.log.info('join token created', { service, expiresAt: new Date(made.expiresAt).toISOString(), singleUse: body.singleUse ?? true });
    sendJson(res, 201, made satisfies TokenBody);
  }

  return [{ template: ControlPaths.tokens, methods: { POST: create } }];
}
