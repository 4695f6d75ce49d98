import type { CertificateDescription } from '../index.js';

/** "3h 12m", "2d 4h", "45s": the two largest units, enough to judge an expiry at a glance. */
export function humanDuration(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = Math.abs(ms);
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length === 0 && name === 's')) parts.push(`${n}${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export function validityNote(c: CertificateDescription, now = Date.now()): string {
  if (c.notBefore.getTime() > now) return `not valid for another ${humanDuration(c.notBefore.getTime() - now)}`;
  const left = c.notAfter.getTime() - now;
  return left > 0 ? `expires in ${humanDuration(left)}` : `expired ${humanDuration(left)} ago`;
}

/** One certificate as aligned "label: value" lines. */
export function formatCertificate(c: CertificateDescription, now = Date.now()): string {
  const rows: [string, string][] = [
    ['spiffe id', c.spiffeIds.length > 0 ? c.spiffeIds.join(', ') : '(none)'],
    ['subject', c.subject.replace(/\n/g, ', ') || '(empty)'],
    ['issuer', c.issuer.replace(/\n/g, ', ') || '(empty)'],
    ['not before', c.notBefore.toISOString()],
    ['not after', `${c.notAfter.toISOString()} (${validityNote(c, now)})`],
    ['serial', c.serialNumber],
    ['kind', c.isCa ? 'CA' : 'leaf'],
    ['sha-256', c.fingerprint256],
  ];
  return rows.map(([k, v]) => `  ${`${k}:`.padEnd(12)}${v}`).join('\n');
}
