import { describe, expect, it } from 'vitest';
import { children, decodeOid, readNode, readWhole } from '../../../src/identity/x509/der-reader.js';
import * as der from '../../../src/identity/x509/der-writer.js';

const hex = (b: Buffer) => b.toString('hex');

describe('DER writer', () => {
  it('encodes INTEGERs minimally, positive serial bytes with a leading zero before a high bit', () => {
    expect(hex(der.integer(0))).toBe('020100');
    expect(hex(der.integer(127))).toBe('02017f');
    expect(hex(der.integer(128))).toBe('02020080');
    expect(hex(der.integer(256))).toBe('02020100');
    expect(hex(der.integer(-1))).toBe('0201ff');
    expect(hex(der.integer(-128))).toBe('020180');
    expect(hex(der.integer(-129))).toBe('0202ff7f');
    expect(hex(der.integer(2n ** 64n))).toBe('0209010000000000000000');
    expect(hex(der.integer(Buffer.from('ff01', 'hex')))).toBe('020300ff01');
    expect(hex(der.integer(Buffer.from('000001', 'hex')))).toBe('020101');
    expect(hex(der.integer(Buffer.alloc(3)))).toBe('020100');
    expect(() => der.integer(1.5)).toThrow(RangeError);
  });

  it('encodes OIDs, including multi-byte arcs', () => {
    expect(hex(der.oid('2.5.29.17'))).toBe('0603551d11');
    expect(hex(der.oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(decodeOid(der.oid('1.3.6.1.5.5.7.3.1').subarray(2))).toBe('1.3.6.1.5.5.7.3.1');
    expect(decodeOid(der.oid('2.999.3').subarray(2))).toBe('2.999.3');
    expect(() => der.oid('1.40')).toThrow(/not a valid/);
    expect(() => der.oid('1.x')).toThrow(/bad arc/);
  });

  it('uses long-form lengths past 127 bytes', () => {
    expect(hex(der.octetString(Buffer.alloc(200)).subarray(0, 3))).toBe('0481c8');
    expect(hex(der.octetString(Buffer.alloc(300)).subarray(0, 4))).toBe('0482012c');
    expect(readWhole(der.octetString(Buffer.alloc(300))).content).toHaveLength(300);
  });

  it('picks UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(der.time(new Date('2049-12-31T23:59:59.999Z')).toString('latin1', 2)).toBe('491231235959Z');
    expect(der.time(new Date('2049-12-31T23:59:59Z'))[0]).toBe(der.Tag.UTC_TIME);
    expect(der.time(new Date('2050-01-01T00:00:00Z')).toString('latin1', 2)).toBe('20500101000000Z');
    expect(der.time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(der.Tag.GENERALIZED_TIME);
    expect(der.time(new Date('1950-01-01T00:00:00Z'))[0]).toBe(der.Tag.UTC_TIME);
    expect(der.time(new Date('1949-12-31T23:59:59Z'))[0]).toBe(der.Tag.GENERALIZED_TIME);
    expect(() => der.time(new Date(NaN))).toThrow(/invalid Date/);
  });

  it('encodes named bits without trailing zero bits', () => {
    expect(hex(der.namedBits([0]))).toBe('03020780'); // digitalSignature
    expect(hex(der.namedBits([5, 6]))).toBe('03020106'); // keyCertSign, cRLSign
    expect(hex(der.namedBits([0, 8]))).toBe('0303078080');
  });

  it('writes BOOLEAN, NULL, strings and context tags', () => {
    expect(hex(der.boolean(true))).toBe('0101ff');
    expect(hex(der.boolean(false))).toBe('010100');
    expect(hex(der.nullValue())).toBe('0500');
    expect(hex(der.utf8String('é'))).toBe('0c02c3a9');
    expect(hex(der.printableString('CA 1'))).toBe('130443412031');
    expect(() => der.printableString('a@b')).toThrow(/PrintableString/);
    expect(hex(der.explicit(0, der.integer(2)))).toBe('a003020102');
    expect(hex(der.implicit(6, Buffer.from('a')))).toBe('860161');
    expect(hex(der.implicit(0, Buffer.of(1), true))).toBe('a00101');
    expect(hex(der.bitString(Buffer.of(0xaa)))).toBe('030200aa');
  });

  it('sorts SET OF members by encoding', () => {
    expect(hex(der.set(der.integer(2), der.integer(1)))).toBe('3106020101020102');
  });

  it('nests SEQUENCEs the reader walks back', () => {
    const s = der.sequence(der.integer(1), der.sequence(der.boolean(true)));
    const [a, b] = children(readWhole(s));
    expect([a!.tag, b!.tag, children(b!)[0]!.tag]).toEqual([0x02, 0x30, 0x01]);
  });
});

describe('DER reader', () => {
  it.each([
    ['indefinite length', '3080', /indefinite/],
    ['a value past its end', '300500', /runs past/],
    ['non-minimal length', '30810100', /non-minimal/],
    ['a truncated node', '30', /truncated/],
  ])('refuses %s', (_what, bytes, message) => {
    expect(() => readNode(Buffer.from(bytes, 'hex'))).toThrow(message);
  });

  it('refuses trailing data after the one value', () => {
    expect(() => readWhole(Buffer.from('050000', 'hex'))).toThrow(/trailing/);
  });
});
