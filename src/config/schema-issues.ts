import type { z } from 'zod';
import { clipText } from './clip.js';
import { didYouMean } from './did-you-mean.js';
import { formatDuration } from './duration.js';
import { formatKeyPath, valueAt, type PathIssue, type PathKey } from './key-path.js';
import { DURATION_BOUND } from './schema-parts.js';

type ZodIssue = z.core.$ZodIssue;

export type SchemaResult<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly issues: PathIssue[] };

/**
 * Validates `data` against a zod schema and turns zod's issues into mesh.yaml-sized ones: one per
 * unknown key (with a did-you-mean from the keys allowed at that level), the branch of a union that
 * the value was evidently meant for, and messages that quote the offending value.
 *
 * @example
 * const r = checkSchema(rawMeshSchema, YAML.parse(text));
 * if (!r.ok) r.issues.forEach((i) => console.error(formatKeyPath(i.path), i.message));
 */
export function checkSchema<T>(schema: z.ZodType<T>, data: unknown): SchemaResult<T> {
  // zod's unrecognized_keys issue does not say which keys were allowed; its schema instance does,
  // and is only visible to the error map. Remember it per object checked.
  const allowed = new WeakMap<object, readonly string[]>();
  const r = schema.safeParse(data, {
    error: (iss) => {
      const shape = (iss.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
      if (iss.code === 'unrecognized_keys' && shape && typeof iss.input === 'object' && iss.input !== null) allowed.set(iss.input, Object.keys(shape));
      return undefined;
    },
  });
  if (r.success) return { ok: true, data: r.data };
  const out: RawIssue[] = [];
  for (const iss of r.error.issues) convert(iss, [], data, allowed, out);
  // `adress: x` yields both "unknown key 'adress' (did you mean 'address'?)" and "'address' is required": the first says it all.
  const guessed = new Set(out.flatMap((i) => (i.guess === undefined ? [] : [formatKeyPath([...i.path.slice(0, -1), i.guess])])));
  return { ok: false, issues: out.filter((i) => !(i.required && guessed.has(formatKeyPath(i.path)))).map(({ path, message, at }) => (at ? { path, message, at } : { path, message })) };
}

/** A PathIssue with what the filtering above needs to know. */
interface RawIssue extends PathIssue {
  readonly guess?: string;
  readonly required?: boolean;
}

function convert(iss: ZodIssue, base: readonly PathKey[], root: unknown, allowed: WeakMap<object, readonly string[]>, out: RawIssue[]): void {
  const path = [...base, ...(iss.path as PathKey[])];
  const value = valueAt(root, path);
  switch (iss.code) {
    case 'unrecognized_keys': {
      const keys = value !== null && typeof value === 'object' ? (allowed.get(value) ?? []) : [];
      for (const key of iss.keys) {
        const guess = didYouMean(key, keys);
        const hint = guess ? ` (did you mean '${guess}'?)` : keys.length > 0 ? ` (allowed: ${keys.join(', ')})` : '';
        out.push({ path: [...path, key], message: `unknown key '${key}'${hint}`, at: 'key', guess });
      }
      return;
    }
    case 'invalid_union': {
      if (iss.errors.length === 0) {
        // A discriminated union whose discriminator matched nothing; zod puts the key in the path.
        const options = ((iss as { options?: unknown[] }).options ?? []).map(String);
        const key = String(path[path.length - 1]);
        const message = value === undefined ? `'${key}' is required: one of ${options.join(', ')}` : `expected one of ${options.join(', ')}, got ${show(value)}${hint(value, options)}`;
        out.push({ path, message });
        return;
      }
      const meant = iss.errors.filter((branch) => !branch.some((b) => b.path.length === 0 && isTypeMismatch(b, value)));
      if (meant.length === 0) {
        out.push({ path, message: `expected ${iss.errors.map((b) => expectedOf(b[0])).join(' or ')}, got ${show(value)}` });
        return;
      }
      const best = meant.reduce((a, b) => (b.length < a.length ? b : a));
      for (const b of best) convert(b, path, root, allowed, out);
      return;
    }
    case 'invalid_key':
      out.push({ path, message: iss.issues[0]?.message ?? `invalid key '${String(path[path.length - 1])}'`, at: 'key' });
      return;
    case 'invalid_type':
      if (value === undefined) out.push({ path, message: `'${String(path[path.length - 1])}' is required`, required: true });
      else out.push({ path, message: `expected ${expectedOf(iss)}, got ${show(value)}` });
      return;
    case 'invalid_value': {
      const options = iss.values.map(String);
      const message = options.length === 1 ? `expected ${options[0]}, got ${show(value)}` : `expected one of ${options.join(', ')}, got ${show(value)}${hint(value, options)}`;
      out.push({ path, message });
      return;
    }
    case 'too_big':
    case 'too_small': {
      // Schemas carry their own wording for numbers; zod's default ("Too small: expected …") is reworded.
      if (!iss.message.startsWith('Too ')) break;
      const bound = iss.code === 'too_big' ? `at most ${String(iss.maximum)}` : `at least ${String(iss.minimum)}`;
      const unit = iss.origin === 'array' ? ' items' : iss.origin === 'string' ? ' characters' : '';
      out.push({ path, message: `must ${unit ? 'have' : 'be'} ${bound}${unit}` });
      return;
    }
    case 'custom': {
      const max = (iss.params as Record<string, unknown> | undefined)?.[DURATION_BOUND];
      if (typeof max !== 'number') break;
      const key = typeof path[path.length - 1] === 'string' ? `${String(path[path.length - 1])} ` : '';
      out.push({ path, message: `${key}must be at most ${formatDuration(max)}, got ${typeof value === 'number' ? `${value}ms` : clipText(String(value))}` });
      return;
    }
    case 'invalid_format':
      if (iss.message.startsWith('Invalid ')) out.push({ path, message: `invalid ${iss.format} ${show(value)}` });
      else break;
      return;
  }
  out.push({ path, message: iss.message });
}

/** A branch that failed on the value's type (not on its content) was not the one the user meant. */
function isTypeMismatch(iss: ZodIssue, value: unknown): boolean {
  if (iss.code === 'invalid_type') return true;
  if (iss.code === 'invalid_value') return !iss.values.some((v) => typeof v === typeof value);
  return false;
}

function expectedOf(iss: ZodIssue | undefined): string {
  if (iss?.code === 'invalid_value') return iss.values.length === 1 ? String(iss.values[0]) : `one of ${iss.values.map(String).join(', ')}`;
  if (iss?.code !== 'invalid_type') return 'another value';
  const names: Record<string, string> = { object: 'a map', record: 'a map', array: 'a list', int: 'an integer', boolean: 'true or false' };
  return names[iss.expected] ?? `a ${iss.expected}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

function hint(value: unknown, options: readonly string[]): string {
  const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
  return guess ? ` (did you mean '${guess}'?)` : '';
}
