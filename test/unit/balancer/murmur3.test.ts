import { describe, expect, it } from 'vitest';
import { murmur3 } from '../../../src/balancer/murmur3.js';

/** The reference algorithm over a byte array, written plainly, to check the streaming UTF-8 version against. */
function reference(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const blocks = bytes.length >> 2;
  const mix = (k: number) => Math.imul(((Math.imul(k, 0xcc9e2d51) << 15) | (Math.imul(k, 0xcc9e2d51) >>> 17)), 0x1b873593);
  for (let i = 0; i < blocks; i++) {
    const k = bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24);
    h ^= mix(k);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let j = bytes.length & 3; j > 0; j--) tail = (tail << 8) | bytes[4 * blocks + j - 1]!;
  if (bytes.length & 3) h ^= mix(tail);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('murmur3', () => {
  it('matches the published MurmurHash3_x86_32 test vectors', () => {
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3('\0\0\0\0', 0)).toBe(0x2362f9de);
    expect(murmur3('a', 0x9747b28c)).toBe(0x7fa09ea6);
    expect(murmur3('aaaa', 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3('ππππππππ', 0x9747b28c)).toBe(0xd58063c1);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('hashes the UTF-8 bytes of any string, surrogate pairs and lone surrogates included', () => {
    const enc = new TextEncoder();
    for (const s of ['x', 'ab', 'abc', 'é', '€uro', '𝄞 clef', 'a\ud800b', '\udc00', '10.0.0.1:8080_42', 'ключ-日本-🙂🙂']) {
      for (const seed of [0, 42]) expect(murmur3(s, seed)).toBe(reference(enc.encode(s), seed));
    }
  });
});
