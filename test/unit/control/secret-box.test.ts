import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src/control/store/secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed text hides the secret', () => {
    const sealed = box.seal('ca.key', '-----BEGIN PRIVATE KEY-----\nabc\n');
    expect(SecretBox.isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(box.open('ca.key', sealed)).toBe('-----BEGIN PRIVATE KEY-----\nabc\n');
  });

  it('refuses another key, another name and an altered value', () => {
    const sealed = box.seal('ca.key', 'secret');
    expect(() => new SecretBox(randomBytes(32)).open('ca.key', sealed)).toThrow(/does not open/);
    expect(() => box.open('token.key', sealed)).toThrow(/does not open/);
    const bytes = Buffer.from(sealed.slice('inmesh-sealed:v1:'.length), 'base64');
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    expect(() => box.open('ca.key', `inmesh-sealed:v1:${bytes.toString('base64')}`)).toThrow(/does not open/);
    expect(() => box.open('ca.key', 'inmesh-sealed:v1:AAAA')).toThrow(/truncated/);
    expect(() => box.open('ca.key', '-----BEGIN PRIVATE KEY-----')).toThrow(/not sealed/);
  });

  it('reads a key file in hex, base64 or raw bytes, and refuses a key of the wrong size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inmesh-box-'));
    const key = randomBytes(32);
    const sealed = new SecretBox(key).seal('k', 'v');
    for (const [name, content] of [['hex', key.toString('hex') + '\n'], ['b64', key.toString('base64')], ['raw', key]] as const) {
      writeFileSync(join(dir, name), content);
      expect(SecretBox.fromFile(join(dir, name)).open('k', sealed)).toBe('v');
    }
    writeFileSync(join(dir, 'short'), 'abc');
    expect(() => SecretBox.fromFile(join(dir, 'short'))).toThrow(/must be 32 bytes/);
    expect(() => SecretBox.fromFile(join(dir, 'missing'))).toThrow(/cannot read the store key file/);
  });
});
