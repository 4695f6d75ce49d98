import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MeshError } from '../../index.js';

/** How a sealed secret starts, so that a store tells a sealed value from a plain PEM. */
const PREFIX = 'inmesh-sealed:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for the secrets a control store keeps (the CA key, the token signing key), with a
 * key the operator provides. The secret's name is the associated data, so a sealed value copied
 * under another name does not open.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new MeshError('MESH_ERR_CONFIG_INVALID', `the store key must be ${KEY_BYTES} bytes (64 hex digits or 44 base64 characters), got ${key.length} bytes`);
    this.#key = key;
  }

  /** A key from a file holding 64 hex digits, base64 of 32 bytes, or the 32 raw bytes. */
  static fromFile(path: string): SecretBox {
    let raw: Buffer;
    try {
      raw = readFileSync(path);
    } catch (err) {
      throw new MeshError('MESH_ERR_CONFIG_INVALID', `cannot read the store key file ${path}: ${(err as Error).message}`, { cause: err });
    }
    return new SecretBox(decodeKey(raw));
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(name: string, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(name));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Throws MESH_ERR_CONFIG_INVALID when the value was sealed with another key or under another name, or was altered. */
  open(name: string, sealed: string): string {
    if (!SecretBox.isSealed(sealed)) throw new MeshError('MESH_ERR_CONFIG_INVALID', `the stored ${name} is not sealed, but a store key was given`);
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new MeshError('MESH_ERR_CONFIG_INVALID', `the stored ${name} is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(name));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new MeshError('MESH_ERR_CONFIG_INVALID', `the stored ${name} does not open with this store key (another key, or the value was altered)`, { cause: err });
    }
  }
}

function decodeKey(raw: Buffer): Buffer {
  if (raw.length === KEY_BYTES) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) return Buffer.from(text, 'base64');
  return Buffer.from(text);
}
