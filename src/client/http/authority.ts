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
