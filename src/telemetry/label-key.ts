/** The map key of one label set: the values in `labelNames` order, each ended by NUL (which no label value holds). */
export function labelKey(labelNames: readonly string[], labels: Partial<Record<string, string | number>>): string {
  let key = '';
  for (const n of labelNames) key += `${labels[n] ?? ''}\u0000`;
  return key;
}
