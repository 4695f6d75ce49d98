/**
 * The path authorization matches, from a request target: what an application router will see,
 * so that no spelling of a path slips past a rule. Envoy normalises before RBAC; this refuses
 * instead, since the application gets the raw target and would resolve `..` or `%2F` itself.
 *
 * - the query (`?…`) and fragment are not part of the path;
 * - percent-encoded unreserved characters (`%61` for `a`, `%2E` for `.`) are decoded, as routers
 *   such as find-my-way do, so `/adm%69n` is `/admin`; other escapes stay as they are;
 * - refused (undefined): a target that is not `/…`, an encoded `/` or `\` (`%2F`, `%5C`), a raw
 *   `\`, a malformed escape, an empty segment (`//`) and a `.` or `..` segment, also encoded.
 *
 * Returns `target` itself when it needs no decoding (no allocation on the common path): matchers
 * stop at the first `?` or `#`.
 */
export function requestPath(target: string): string | undefined {
  if (target.charCodeAt(0) !== SLASH) return undefined;
  let end = target.length;
  let escaped = false;
  for (let i = 0; i < end; i++) {
    const c = target.charCodeAt(i);
    if (c === QUESTION || c === HASH) end = i;
    else if (c === PERCENT) escaped = true;
  }
  const path = escaped ? decodeUnreserved(target, end) : target;
  if (path === undefined) return undefined;
  return hasUnsafeSegment(path, escaped ? path.length : end) ? undefined : path;
}

const SLASH = 0x2f;
const DOT = 0x2e;
const BACKSLASH = 0x5c;
const QUESTION = 0x3f;
const HASH = 0x23;
const PERCENT = 0x25;

function hasUnsafeSegment(path: string, end: number): boolean {
  let segmentStart = 1;
  for (let i = 1; i <= end; i++) {
    const c = i === end ? SLASH : path.charCodeAt(i);
    if (c === BACKSLASH) return true;
    if (c !== SLASH) continue;
    const len = i - segmentStart;
    // An empty segment is fine only as the last one: `/api/` is a path of its own.
    if (len === 0 && i !== end) return true;
    if (len === 1 && path.charCodeAt(segmentStart) === DOT) return true;
    if (len === 2 && path.charCodeAt(segmentStart) === DOT && path.charCodeAt(segmentStart + 1) === DOT) return true;
    segmentStart = i + 1;
  }
  return false;
}

/** `path` up to `end` with %XX of unreserved characters decoded; undefined for a malformed escape or an encoded separator. */
function decodeUnreserved(path: string, end: number): string | undefined {
  let out = '';
  let from = 0;
  for (let i = 0; i < end; i++) {
    if (path.charCodeAt(i) !== PERCENT) continue;
    const code = Number.parseInt(path.slice(i + 1, i + 3), 16);
    if (i + 2 >= end || !/^[0-9a-fA-F]{2}$/.test(path.slice(i + 1, i + 3))) return undefined;
    if (code === SLASH || code === BACKSLASH) return undefined;
    if (isUnreserved(code)) {
      out += path.slice(from, i) + String.fromCharCode(code);
      from = i + 3;
    }
    i += 2;
  }
  return out + path.slice(from, end);
}

function isUnreserved(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === DOT || c === 0x5f || c === 0x7e;
}
