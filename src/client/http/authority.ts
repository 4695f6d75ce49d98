import type { Dispatcher } from 'undici';

/** The host of an origin string (`http://orders:8080` → `orders`, `http://[::1]:80` → `::1`), lower-cased. */
export function hostOfOrigin(origin: string): string {
  const start = origin.indexOf('://');
  let i = start < 0 ? 0 : start + 3;
  if (origin.charCodeAt(i) === 91 /* [ */) {
    const close = origin.indexOf(']', i);
    return origin.slice(i + 1, close < 0 ? undefined : close).toLowerCase();
  }
  let end = i;
  for (; end < origin.length; end++) {
    const c = origin.charCodeAt(end);
    if (c === 58 /* : */ || c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
  }
  return origin.slice(i, end).toLowerCase();
}

/**
 * The request headers with `host` set to the logical authority, as a plain client calling
 * `http://orders/` would send, unless the caller set one. Never mutates the caller's headers.
 */
export function withAuthority(headers: Dispatcher.DispatchOptions['headers'], authority: string): Dispatcher.DispatchOptions['headers'] {
  if (headers == null) return ['host', authority];
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (isHost(headers[i])) return headers;
    return [...headers, 'host', authority];
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const flat: string[] = [];
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) {
      if (v === undefined) continue;
      if (isHost(k)) return headers;
      for (const one of Array.isArray(v) ? v : [v]) flat.push(k, one);
    }
    flat.push('host', authority);
    return flat;
  }
  const record = headers as Record<string, unknown>;
  for (const k in record) if (isHost(k)) return headers;
  return { ...(record as Record<string, string>), host: authority };
}

function isHost(name: unknown): boolean {
  return typeof name === 'string' ? name.length === 4 && name.toLowerCase() === 'host' : Buffer.isBuffer(name) && name.length === 4 && name.toString('latin1').toLowerCase() === 'host';
}
