import { trimOws } from './header-text.js';
import { isBaggageOctets, isToken, isValidBaggageProperties } from './baggage-grammar.js';
import type { BaggageEntry, HeaderValue } from './types.js';

export const BAGGAGE_HEADER = 'baggage';

/**
 * 180 members is OpenTelemetry's limit, not the spec's: W3C baggage only says to propagate at least 64 members
 * and 8192 bytes. We follow OpenTelemetry so that a service behind inmesh drops no more than its OTel peers do.
 */
export const MAX_BAGGAGE_MEMBERS = 180;
export const MAX_BAGGAGE_LENGTH = 8192;
/** The per-member limit of the first baggage drafts, which OpenTelemetry keeps. */
export const MAX_BAGGAGE_MEMBER_LENGTH = 4096;

/**
 * The baggage members, or undefined when there is no valid one. Only members that lie wholly within the first
 * 8192 characters are read (repeated headers joined with `,`), and at most 180 of them, so a huge header costs no
 * more than a legal one. A member that breaks the grammar, is longer than 4096 characters or has a bad
 * percent-encoding is dropped on its own; the rest are kept. A repeated key keeps its last value.
 * Header characters are bytes (Node reads headers as latin1), so the limits in characters are the spec's bytes.
 */
export function parseBaggage(value: HeaderValue): ReadonlyMap<string, BaggageEntry> | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : joinPrefix(value, MAX_BAGGAGE_LENGTH + 1);
  const scanned = text.slice(0, MAX_BAGGAGE_LENGTH);
  // After a complete member only whitespace or a comma can follow; anything else means the limit cut it short.
  const cutMidMember = text.length > MAX_BAGGAGE_LENGTH && !', \t'.includes(text.charAt(MAX_BAGGAGE_LENGTH));
  const entries = new Map<string, BaggageEntry>();
  let start = 0;
  while (start <= scanned.length) {
    const comma = scanned.indexOf(',', start);
    if (comma === -1 && cutMidMember) break;
    const end = comma === -1 ? scanned.length : comma;
    const member = parseMember(trimOws(scanned, start, end));
    if (member !== undefined) {
      if (!entries.has(member.key) && entries.size === MAX_BAGGAGE_MEMBERS) break;
      entries.set(member.key, member.entry);
    }
    start = end + 1;
  }
  return entries.size > 0 ? entries : undefined;
}

/** Joins header values only as far as the parse will look, so a long list of repeats is not copied whole. */
function joinPrefix(values: readonly string[], limit: number): string {
  let text = '';
  for (const part of values) {
    text = text === '' ? part : `${text},${part}`;
    if (text.length >= limit) break;
  }
  return text;
}

function parseMember(member: string): { key: string; entry: BaggageEntry } | undefined {
  if (member === '' || member.length > MAX_BAGGAGE_MEMBER_LENGTH) return undefined;
  const semicolon = member.indexOf(';');
  const pair = semicolon === -1 ? member : member.slice(0, semicolon);
  const eq = pair.indexOf('=');
  if (eq === -1) return undefined;
  const key = trimOws(pair, 0, eq);
  const rawValue = trimOws(pair, eq + 1);
  if (!isToken(key) || !isBaggageOctets(rawValue)) return undefined;
  const decoded = percentDecode(rawValue);
  if (decoded === undefined) return undefined;
  const metadata = semicolon === -1 ? '' : trimOws(member, semicolon + 1);
  if (metadata === '') return { key, entry: { value: decoded } };
  if (!isValidBaggageProperties(metadata)) return undefined;
  return { key, entry: { value: decoded, metadata } };
}

/** undefined for a malformed escape or escapes that are not UTF-8. */
function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * The header value for the entries, '' when none can be sent. Values are percent-encoded; an entry whose key is not
 * a token, whose metadata breaks the property grammar or whose member exceeds 4096 characters is skipped, and
 * the list stops before it would pass 180 members or 8192 characters.
 */
export function formatBaggage(entries: ReadonlyMap<string, BaggageEntry>): string {
  const members: string[] = [];
  let length = 0;
  for (const [key, entry] of entries) {
    const member = formatMember(key, entry);
    if (member === undefined) continue;
    const added = member.length + (members.length > 0 ? 1 : 0);
    if (members.length === MAX_BAGGAGE_MEMBERS || length + added > MAX_BAGGAGE_LENGTH) break;
    members.push(member);
    length += added;
  }
  return members.join(',');
}

function formatMember(key: string, entry: BaggageEntry): string | undefined {
  if (!isToken(key)) return undefined;
  let encoded: string;
  try {
    encoded = encodeURIComponent(entry.value);
  } catch {
    return undefined; // a lone surrogate has no UTF-8 form
  }
  const metadata = entry.metadata === undefined ? '' : trimOws(entry.metadata);
  if (metadata !== '' && !isValidBaggageProperties(metadata)) return undefined;
  const member = metadata === '' ? `${key}=${encoded}` : `${key}=${encoded};${metadata}`;
  return member.length > MAX_BAGGAGE_MEMBER_LENGTH ? undefined : member;
}
