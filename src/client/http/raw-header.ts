/**
 * The first value of a response header in undici's raw form (`[name, value, …]` as Buffers),
 * compared byte by byte, case-insensitively, so that a lookup on every response allocates
 * nothing unless the header is there. `name` must be lower-case ASCII.
 */
export function rawHeaderValue(raw: readonly (Buffer | string)[], name: string): string | undefined {
  const n = name.length;
  outer: for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length !== n) continue;
    if (typeof key === 'string') {
      if (key.toLowerCase() === name) return String(raw[i + 1]);
      continue;
    }
    for (let j = 0; j < n; j++) {
      let c = key[j]!;
      if (c >= 65 && c <= 90) c += 32;
      if (c !== name.charCodeAt(j)) continue outer;
    }
    return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}
