/**
 * A DER encoder for the few ASN.1 types X.509 certificates and PKCS#10 requests use. Each
 * function returns one complete TLV, so structures nest as calls do.
 */

/** Universal tags, plus the class bits for context-specific tags. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
  CONTEXT: 0x80,
  CONSTRUCTED: 0x20,
} as const;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag (every tag X.509 needs fits in one). */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(tag), lengthBytes(content.length), content]);
}

export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(Tag.SEQUENCE, Buffer.concat(items));
}

/** A SET OF: DER orders the elements by their encodings. */
export function set(...items: Uint8Array[]): Buffer {
  return tlv(Tag.SET, Buffer.concat([...items].sort((a, b) => Buffer.compare(a, b))));
}

/** Minimal two's-complement bytes of a bigint. */
function integerBytes(v: bigint): Buffer {
  if (v >= 0n) {
    let hex = v.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    const b = Buffer.from(hex, 'hex');
    return b[0]! & 0x80 ? Buffer.concat([Buffer.of(0), b]) : b;
  }
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1))) n++;
  const hex = ((1n << BigInt(8 * n)) + v).toString(16).padStart(2 * n, '0');
  return Buffer.from(hex, 'hex');
}

/**
 * An INTEGER. A Buffer is read as an unsigned magnitude (a serial number's random bytes), so
 * it always encodes as a positive number: leading zeros dropped, a 0x00 added before a high bit.
 */
export function integer(value: bigint | number | Uint8Array): Buffer {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`DER INTEGER: ${value} is not a safe integer`);
    return tlv(Tag.INTEGER, integerBytes(BigInt(value)));
  }
  if (typeof value === 'bigint') return tlv(Tag.INTEGER, integerBytes(value));
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  const magnitude = Buffer.from(value.subarray(i));
  if (magnitude.length === 0) return tlv(Tag.INTEGER, Buffer.of(0));
  return tlv(Tag.INTEGER, magnitude[0]! & 0x80 ? Buffer.concat([Buffer.of(0), magnitude]) : magnitude);
}

function base128(n: number): number[] {
  const out = [n & 0x7f];
  for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) out.unshift(0x80 | (v & 0x7f));
  return out;
}

/** An OBJECT IDENTIFIER from its dotted form, e.g. '2.5.29.17'. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new TypeError(`DER OID: bad arc ${JSON.stringify(a)} in ${dotted}`);
    return Number(a);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) {
    throw new TypeError(`DER OID: ${dotted} is not a valid object identifier`);
  }
  return tlv(Tag.OID, Buffer.from([...base128(first * 40 + second), ...rest.flatMap(base128)]));
}

/** A BIT STRING of whole bytes, or with `unusedBits` (0–7) padding bits at the end. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  if (!(unusedBits >= 0 && unusedBits <= 7) || (bytes.length === 0 && unusedBits !== 0)) throw new RangeError('DER BIT STRING: bad unused bits');
  return tlv(Tag.BIT_STRING, Buffer.concat([Buffer.of(unusedBits), bytes]));
}

/**
 * A named-bit BIT STRING (KeyUsage): bit 0 is the high bit of the first byte, and DER drops
 * trailing zero bits.
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return bitString(bytes, 7 - (highest & 7));
}

export function octetString(bytes: Uint8Array): Buffer {
  return tlv(Tag.OCTET_STRING, bytes);
}

export function utf8String(s: string): Buffer {
  return tlv(Tag.UTF8_STRING, Buffer.from(s, 'utf8'));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function printableString(s: string): Buffer {
  if (!PRINTABLE.test(s)) throw new TypeError(`DER PrintableString: ${JSON.stringify(s)} has characters outside the PrintableString set`);
  return tlv(Tag.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
}

/** The bytes of an IA5String (printable ASCII here), for use under an implicit tag. */
export function ia5Bytes(s: string): Buffer {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new TypeError(`DER IA5String: ${JSON.stringify(s)} is not printable ASCII`);
  return Buffer.from(s, 'latin1');
}

export function ia5String(s: string): Buffer {
  return tlv(Tag.IA5_STRING, ia5Bytes(s));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A certificate validity time by RFC 5280's rule: UTCTime (two-digit year) for 1950–2049,
 * GeneralizedTime from 2050 on and before 1950. Whole seconds, always UTC ('Z').
 */
export function time(date: Date): Buffer {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('DER time: invalid Date');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`DER time: year ${year} cannot be encoded`);
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(Tag.UTC_TIME, Buffer.from(`${pad(year % 100)}${rest}`, 'latin1'));
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(`${pad(year, 4)}${rest}`, 'latin1'));
}

export function boolean(value: boolean): Buffer {
  return tlv(Tag.BOOLEAN, Buffer.of(value ? 0xff : 0x00));
}

export function nullValue(): Buffer {
  return tlv(Tag.NULL, Buffer.alloc(0));
}

/** `[n] EXPLICIT`: the inner TLV wrapped whole in a constructed context tag. */
export function explicit(n: number, inner: Uint8Array): Buffer {
  if (!(n >= 0 && n <= 30)) throw new RangeError(`DER context tag ${n} out of range`);
  return tlv(Tag.CONTEXT | Tag.CONSTRUCTED | n, inner);
}

/**
 * `[n] IMPLICIT`: the content of a value under a context tag instead of its own. Pass the
 * content bytes (not a TLV); `constructed` for SEQUENCE/SET content.
 */
export function implicit(n: number, content: Uint8Array, constructed = false): Buffer {
  if (!(n >= 0 && n <= 30)) throw new RangeError(`DER context tag ${n} out of range`);
  return tlv(Tag.CONTEXT | (constructed ? Tag.CONSTRUCTED : 0) | n, content);
}
