import { LEASE_DEFAULT_SECONDS, LEASE_MAX_SECONDS, LEASE_MIN_SECONDS } from '../../experimental.js';
import { badRequest } from '../http/control-http-error.js';

export interface CheckedInstanceBody {
  readonly labels: Readonly<Record<string, string>>;
  readonly meshed: boolean;
  readonly protocols: readonly string[];
  readonly leaseSeconds: number;
}

const KEYS = new Set(['labels', 'version', 'meshed', 'protocols', 'leaseSeconds']);
const PROTOCOLS = new Set(['http/1.1', 'h2c', 'h2', 'grpc']);
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,62}$/;
const MAX_LABELS = 64;
const MAX_LABEL_VALUE = 256;

/** A RegisterInstanceBody, checked field by field; an unknown key is refused so a typo is not silently dropped. */
export function checkInstanceBody(body: Record<string, unknown>): CheckedInstanceBody {
  for (const key of Object.keys(body)) if (!KEYS.has(key)) throw badRequest(`unknown field ${JSON.stringify(key.slice(0, 60))}; expected ${[...KEYS].join(', ')}`);
  const labels: Record<string, string> = {};
  if (body.labels !== undefined) {
    if (typeof body.labels !== 'object' || body.labels === null || Array.isArray(body.labels)) throw badRequest('labels must be an object of strings');
    const entries = Object.entries(body.labels);
    if (entries.length > MAX_LABELS) throw badRequest(`at most ${MAX_LABELS} labels, got ${entries.length}`);
    for (const [k, v] of entries) {
      if (!LABEL_KEY.test(k)) throw badRequest(`invalid label name ${JSON.stringify(k.slice(0, 60))}: letters, digits, '_', '.', '/', '-', at most 63`);
      if (typeof v !== 'string' || v.length > MAX_LABEL_VALUE) throw badRequest(`label ${k} must be a string of at most ${MAX_LABEL_VALUE} characters`);
      labels[k] = v;
    }
  }
  if (body.version !== undefined) {
    if (typeof body.version !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(body.version)) throw badRequest("version must be a name of letters, digits, '_', '.' and '-'");
    labels.version = body.version;
  }
  if (body.meshed !== undefined && typeof body.meshed !== 'boolean') throw badRequest('meshed must be true or false');
  let protocols: string[] = ['http/1.1'];
  if (body.protocols !== undefined) {
    if (!Array.isArray(body.protocols) || body.protocols.length === 0 || body.protocols.length > PROTOCOLS.size || !body.protocols.every((p) => typeof p === 'string' && PROTOCOLS.has(p))) {
      throw badRequest(`protocols must be a non-empty list of ${[...PROTOCOLS].join(', ')}`);
    }
    protocols = [...new Set(body.protocols as string[])];
  }
  const lease = body.leaseSeconds ?? LEASE_DEFAULT_SECONDS;
  if (typeof lease !== 'number' || !Number.isFinite(lease) || lease < LEASE_MIN_SECONDS || lease > LEASE_MAX_SECONDS) {
    throw badRequest(`leaseSeconds must be a number from ${LEASE_MIN_SECONDS} to ${LEASE_MAX_SECONDS}`);
  }
  return { labels, meshed: body.meshed ?? true, protocols, leaseSeconds: lease };
}
