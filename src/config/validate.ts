import { IssueList, type PathIssue } from './key-path.js';
import { normalizeMesh, type NormalizeResult } from './normalize.js';
import { normalizeService } from './normalize-service.js';
import { rawMeshSchema, serviceSchema } from './schema.js';
import { checkSchema } from './schema-issues.js';

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * Schema, then defaults and cross-field rules, reporting everything in one pass: when the schema
 * fails somewhere, the services that passed it are still checked for cross-field problems.
 *
 * @example
 * const r = validateMesh({ services: { orders: { endpoints: ['127.0.0.1:8081'] } } });
 * if (r.ok) r.config.services.orders.retries.attempts // 1
 */
export function validateMesh(data: unknown): NormalizeResult {
  const root = data === null || data === undefined ? {} : data;
  const parsed = checkSchema(rawMeshSchema, root);
  if (parsed.ok) return normalizeMesh(parsed.data);
  const issues: PathIssue[] = [...parsed.issues];
  if (isObject(root) && isObject(root.services)) {
    const ctx = { hasControl: isObject(root.control) };
    for (const [name, raw] of Object.entries(root.services)) {
      const svc = serviceSchema.safeParse(raw);
      if (!svc.success) continue;
      const list = new IssueList();
      normalizeService(name, svc.data, ctx, list);
      issues.push(...list.issues);
    }
  }
  return { ok: false, issues };
}
