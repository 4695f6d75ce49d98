import { trimOws } from './header-text.js';

/**
 * The W3C baggage grammar, checked a character at a time (linear, no regular expression to backtrack on).
 * key = RFC 7230 token; value = *baggage-octet; property = key OWS [ "=" OWS value ].
 */

/** tchar: ALPHA DIGIT and ! # $ % & ' * + - . ^ _ ` | ~ */
function isTokenChar(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  return c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e
    || c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e;
}

export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

/** Printable US-ASCII but space, `"`, `,`, `;` and `\`: what a value may hold before percent-decoding. */
export function isBaggageOctets(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x2c || c === 0x3b || c === 0x5c) return false;
  }
  return true;
}

/** The `;`-separated properties after a member's value: each a token, optionally `= value`. */
export function isValidBaggageProperties(text: string): boolean {
  let start = 0;
  while (start <= text.length) {
    const semicolon = text.indexOf(';', start);
    const end = semicolon === -1 ? text.length : semicolon;
    // Sliced so that the search for '=' stays inside this property: the whole check stays linear.
    const property = text.slice(start, end);
    const eq = property.indexOf('=');
    if (!isToken(trimOws(property, 0, eq === -1 ? property.length : eq))) return false;
    if (eq !== -1 && !isBaggageOctets(trimOws(property, eq + 1))) return false;
    start = end + 1;
  }
  return true;
}
