import type { Dispatcher } from 'undici';

/** The first value of a request header in any of undici's header shapes; `name` lower-case. */
export function headerValue(headers: Dispatcher.DispatchOptions['headers'], name: string): string | undefined {
  if (headers == null) return undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    return undefined;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) if (k.toLowerCase() === name && v !== undefined) return Array.isArray(v) ? v[0] : v;
    return undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  for (const k in record) {
    if (k.toLowerCase() !== name) continue;
    const v = record[k];
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}
