import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An admin token: 32 random bytes, base64url, with a prefix that tells it apart from a join token (a JWT). */
export function generateAdminToken(): string {
  return `inmesh-admin-${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares the token's hash with the stored one in constant time. */
export function isAdminToken(presented: string, storedSha256: string): boolean {
  const a = Buffer.from(sha256Hex(presented), 'hex');
  const b = Buffer.from(storedSha256, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of an `authorization` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer +(\S+) *$/i.exec(header);
  return m?.[1];
}
