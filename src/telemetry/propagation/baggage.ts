import { trimOws, type BaggageEntry } from './types.js';

/** OpenTelemetry's limits (W3C asks for at least 64 members and 8192 bytes). */
export const MAX_BAGGAGE_MEMBERS = 180;
export const MAX_BAGGAGE_BYTES = 8192;
export const MAX_BAGGAGE_MEMBER_BYTES = 4096;

// RFC 9110 tchar.
const isTokenChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 33 || (c >= 35 && c <= 39) || c === 42 || c === 43 || c === 45 || c === 46 || (c >= 94 && c <= 96) || c === 124 || c === 126;

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

function decode(v: string): string | undefined {
  try {
    return decodeURIComponent(v);
  } catch {
    return undefined;
  }
}

/**
 * W3C baggage: `key=value;properties` members. A member that is malformed (key not a token, bad
 * percent-encoding) or over 4096 bytes is dropped alone; members past 180 are dropped; a header
 * over 8192 bytes is ignored by the caller before it gets here.
 */
export function parseBaggage(header: string): Map<string, BaggageEntry> {
  const out = new Map<string, BaggageEntry>();
  for (const part of header.split(',')) {
    if (out.size >= MAX_BAGGAGE_MEMBERS) break;
    if (part.length > MAX_BAGGAGE_MEMBER_BYTES) continue;
    const semi = part.indexOf(';');
    const pair = semi < 0 ? part : part.slice(0, semi);
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const key = trimOws(pair.slice(0, eq));
    const value = decode(trimOws(pair.slice(eq + 1)));
    if (!isToken(key) || value === undefined) continue;
    const metadata = semi < 0 ? undefined : trimOws(part.slice(semi + 1));
    out.set(key, metadata ? { value, metadata } : { value });
  }
  return out;
}

/** The baggage header: values percent-encoded, members added while within the limits. */
export function formatBaggage(entries: ReadonlyMap<string, BaggageEntry>): string {
  let out = '';
  let n = 0;
  for (const [key, e] of entries) {
    if (n >= MAX_BAGGAGE_MEMBERS) break;
    if (!isToken(key)) continue;
    const member = `${key}=${encodeURIComponent(e.value)}${e.metadata ? `;${e.metadata}` : ''}`;
    if (member.length > MAX_BAGGAGE_MEMBER_BYTES) continue;
    const next = out === '' ? member : `${out},${member}`;
    if (next.length > MAX_BAGGAGE_BYTES) break;
    out = next;
    n++;
  }
  return out;
}
