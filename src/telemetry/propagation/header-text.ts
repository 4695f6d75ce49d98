import type { HeaderValue } from './types.js';

/**
 * A trace header longer than this is ignored before any parsing, so a hostile header costs one length check.
 * traceparent and b3 are under 100 characters and we send at most 512 of tracestate; 8192 is the usual
 * header-size unit (and baggage's limit), leaving room for future traceparent versions and padded tracestates.
 */
export const MAX_TRACE_HEADER_LENGTH = 8192;

const SPACE = 0x20;
const TAB = 0x09;

/** The value without the optional whitespace (RFC 9110 OWS: spaces and tabs only) around it. */
export function trimOws(text: string, start = 0, end = text.length): string {
  let from = start;
  let to = end;
  while (from < to && isOws(text.charCodeAt(from))) from++;
  while (to > from && isOws(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

function isOws(code: number): boolean {
  return code === SPACE || code === TAB;
}

/**
 * The one value of a header that must appear once: undefined when it is absent, repeated (a second traceparent
 * or b3 makes the context ambiguous, so the spec has us restart the trace) or too long.
 */
export function singleHeaderValue(value: HeaderValue): string | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (value !== undefined && value.length === 1) text = value[0];
  if (text === undefined || text.length > MAX_TRACE_HEADER_LENGTH) return undefined;
  return trimOws(text);
}

/** True when text[start, end) is non-empty and only 0-9 a-f: upper case is invalid in every format here. */
export function isLowerHex(text: string, start = 0, end = text.length): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

export function isAllZeros(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== 0x30) return false;
  return true;
}
