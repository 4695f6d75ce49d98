/**
 * The tracestate key and value grammar (W3C Trace Context), checked a character at a time: linear, and no regular
 * expression to backtrack on a hostile header.
 */

const MAX_SIMPLE_KEY_LENGTH = 256;
const MAX_TENANT_LENGTH = 241;
const MAX_VENDOR_LENGTH = 14;
const MAX_VALUE_LENGTH = 256;

function isLcAlpha(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** a-z 0-9 _ - * / */
function isKeyChar(c: number): boolean {
  return isLcAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2a || c === 0x2f;
}

function isKeyPart(text: string, start: number, end: number, maxLength: number, digitFirst: boolean): boolean {
  if (end <= start || end - start > maxLength) return false;
  const first = text.charCodeAt(start);
  if (!isLcAlpha(first) && !(digitFirst && isDigit(first))) return false;
  for (let i = start + 1; i < end; i++) if (!isKeyChar(text.charCodeAt(i))) return false;
  return true;
}

/** `[a-z][_0-9a-z\-*\/]{0,255}`, or multi-tenant `[a-z0-9][_0-9a-z\-*\/]{0,240}@[a-z][_0-9a-z\-*\/]{0,13}`. */
export function isValidTraceStateKey(key: string): boolean {
  const at = key.indexOf('@');
  if (at === -1) return isKeyPart(key, 0, key.length, MAX_SIMPLE_KEY_LENGTH, false);
  return isKeyPart(key, 0, at, MAX_TENANT_LENGTH, true) && isKeyPart(key, at + 1, key.length, MAX_VENDOR_LENGTH, false);
}

/** 1 to 256 printable ASCII characters (0x20–0x7E) other than `,` and `=`, not ending in a space. */
export function isValidTraceStateValue(value: string): boolean {
  if (value.length === 0 || value.length > MAX_VALUE_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return value.charCodeAt(value.length - 1) !== 0x20;
}
