import type { Dispatcher } from 'undici';

type Headers = Dispatcher.DispatchOptions['headers'];

/**
 * The request headers with `name` (lower-case) set to `value`, replacing any value the
 * caller gave, as a new flat array: the caller's headers are never changed.
 */
export function setHeader(headers: Headers, name: string, value: string): string[] {
  const out: string[] = [];
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() !== name) out.push(String(headers[i]), String(headers[i + 1]));
  } else if (headers != null && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) push(out, k, v, name);
  } else if (headers != null) {
    const record = headers as Record<string, string | string[] | undefined>;
    for (const k in record) push(out, k, record[k], name);
  }
  out.push(name, value);
  return out;
}

function push(out: string[], k: string, v: string | string[] | undefined, skip: string): void {
  if (v === undefined || k.toLowerCase() === skip) return;
  if (Array.isArray(v)) for (const one of v) out.push(k, one);
  else out.push(k, v);
}

/**
 * The request headers without any whose lower-case name is in `drop`, then `add`'s name/value
 * pairs, as a new flat array: how trace headers go out, the caller's own copies replaced.
 */
export function replaceHeaders(headers: Headers, drop: ReadonlySet<string>, add: readonly string[]): string[] {
  const out: string[] = [];
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (!drop.has(String(headers[i]).toLowerCase())) out.push(String(headers[i]), String(headers[i + 1]));
  } else if (headers != null && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) if (!drop.has(k.toLowerCase())) push(out, k, v, '');
  } else if (headers != null) {
    const record = headers as Record<string, string | string[] | undefined>;
    for (const k in record) if (!drop.has(k.toLowerCase())) push(out, k, record[k], '');
  }
  for (const x of add) out.push(x);
  return out;
}
