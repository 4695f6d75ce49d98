import { IssueList, type PathIssue, type PathKey } from './key-path.js';
import { normalizeMesh, type MeshContext, type NormalizeResult } from './normalize.js';
import { normalizeService } from './normalize-service.js';
import { withoutReservedKeys } from './reserved-keys.js';
import { meshSchemas, type MeshSchemas } from './schema.js';
import { checkSchema } from './schema-issues.js';

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * Schema, then defaults and cross-field rules, reporting everything in one pass: when the schema
 * fails, each service is still checked for cross-field problems in the parts the schema accepted.
 *
 * @example
 * const r = validateMesh({ services: { orders: { endpoints: ['127.0.0.1:8081'] } } });
 * if (r.ok) r.config.services.orders.retries.attempts // 1
 */
export function validateMesh(data: unknown, o: MeshContext = {}): NormalizeResult {
  const reserved = withoutReservedKeys(data === null || data === undefined ? {} : data);
  const root = reserved.value;
  const schemas = meshSchemas();
  const parsed = checkSchema(schemas.rawMeshSchema, root);
  if (parsed.ok && reserved.issues.length === 0) return normalizeMesh(parsed.data, o);
  if (parsed.ok) {
    const rest = normalizeMesh(parsed.data, o);
    return { ok: false, issues: [...reserved.issues, ...(rest.ok ? [] : rest.issues)] };
  }
  const issues: PathIssue[] = [...reserved.issues, ...parsed.issues];
  if (isObject(root) && isObject(root.services)) {
    const ctx = { hasControl: isObject(root.control) || o.servedByControl === true };
    for (const [name, raw] of Object.entries(root.services)) issues.push(...crossCheckService(schemas.serviceSchema, name, raw, parsed.issues, ctx));
  }
  return { ok: false, issues };
}

/**
 * Cross-field checks of one service whose schema problems are set aside: keys with problems are
 * dropped (a broken route is replaced by an empty one, so later routes keep their index), and issues
 * that touch a dropped key are not reported, since they would only echo the schema's.
 */
function crossCheckService(serviceSchema: MeshSchemas['serviceSchema'], name: string, raw: unknown, schemaIssues: readonly PathIssue[], ctx: { readonly hasControl: boolean }): PathIssue[] {
  if (!isObject(raw)) return [];
  const svc: Record<string, unknown> = { ...raw };
  const dropped: PathKey[][] = [];
  for (const { path } of schemaIssues) {
    if (path[0] !== 'services' || path[1] !== name || path.length < 3) continue;
    const key = String(path[2]);
    const index = path[3];
    if (key === 'routes' && typeof index === 'number' && Array.isArray(svc.routes)) {
      svc.routes = svc.routes.map((r: unknown, i) => (i === index ? {} : r));
      dropped.push(['services', name, 'routes', index]);
    } else {
      delete svc[key];
      dropped.push(['services', name, key]);
    }
  }
  // Without its subsets or endpoints the service's routes would name subsets that seem undefined.
  if (['subsets', 'endpoints', 'discovery'].some((k) => k in raw && !(k in svc))) {
    delete svc.routes;
    dropped.push(['services', name, 'routes']);
  }
  const parsed = serviceSchema.safeParse(svc);
  if (!parsed.success) return [];
  const list = new IssueList();
  normalizeService(name, parsed.data, ctx, list);
  return list.issues.filter((i) => !dropped.some((d) => isPrefix(d, i.path) || isPrefix(i.path, d)));
}

function isPrefix(a: readonly PathKey[], b: readonly PathKey[]): boolean {
  return a.length <= b.length && a.every((k, i) => k === b[i]);
}
