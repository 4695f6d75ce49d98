import { CONTROL_WAIT_DEFAULT_MS, CONTROL_WAIT_MAX_MS } from '../../experimental.js';
import { badRequest } from './control-http-error.js';

export interface BlockingQuery {
  /** The version the caller has; undefined answers at once. */
  readonly version: number | undefined;
  readonly waitMs: number;
}

const WAIT = /^(\d{1,9}(?:\.\d{1,3})?)(ms|s|m)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) throw badRequest(`${name} is given more than once`);
  return all[0];
}

/**
 * `?version=N&wait=30s` of a blocking query (as Consul's `index` and `wait`): version a whole
 * number, wait a duration in ms, s or m up to CONTROL_WAIT_MAX_MS. Anything else is a 400.
 */
export function parseBlockingQuery(params: URLSearchParams): BlockingQuery {
  const v = single(params, 'version');
  const w = single(params, 'wait');
  let version: number | undefined;
  if (v !== undefined) {
    if (!/^\d{1,15}$/.test(v)) throw badRequest(`version must be a whole number ≥ 0, got ${JSON.stringify(v.slice(0, 40))}`);
    version = Number(v);
  }
  let waitMs = CONTROL_WAIT_DEFAULT_MS;
  if (w !== undefined) {
    const m = WAIT.exec(w);
    if (!m) throw badRequest(`wait must be a duration such as 500ms, 30s or 5m, got ${JSON.stringify(w.slice(0, 40))}`);
    waitMs = Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
    if (waitMs > CONTROL_WAIT_MAX_MS) throw badRequest(`wait must be at most ${CONTROL_WAIT_MAX_MS / 1000}s, got ${w}`);
  }
  return { version, waitMs };
}
