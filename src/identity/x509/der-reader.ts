/**
 * A strict, minimal DER reader: enough to walk a PKCS#10 request or a certificate's fields.
 * It refuses indefinite and overlong lengths and anything that runs past its parent, so
 * garbage fails here instead of later.
 */

/** One TLV inside `bytes`: `bytes.subarray(start, end)` is the whole TLV, `content` its value. */
export interface DerNode {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
  readonly content: Buffer;
  /** The whole TLV, e.g. to verify a signature over it. */
  readonly raw: Buffer;
}

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Reads the TLV at `offset` in `bytes`, which must end at or before `limit`. */
export function readNode(bytes: Buffer, offset = 0, limit = bytes.length): DerNode {
  if (offset + 2 > limit) throw new DerError(`truncated at byte ${offset}`);
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at byte ${offset} is not supported`);
  let length = bytes[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError(`indefinite length at byte ${offset} is not DER`);
    if (count > 4) throw new DerError(`length of ${count} bytes at byte ${offset} is too long`);
    if (offset + 2 + count > limit) throw new DerError(`truncated length at byte ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i]!;
    if (length < 0x80 || bytes[offset + 2] === 0) throw new DerError(`non-minimal length at byte ${offset} is not DER`);
    header += count;
  }
  const end = offset + header + length;
  if (end > limit) throw new DerError(`value at byte ${offset} runs past its end (${end} > ${limit})`);
  return { tag, start: offset, end, content: bytes.subarray(offset + header, end), raw: bytes.subarray(offset, end) };
}

/** The one TLV that makes up all of `bytes` (no trailing data). */
export function readWhole(bytes: Buffer): DerNode {
  const node = readNode(bytes);
  if (node.end !== bytes.length) throw new DerError(`${bytes.length - node.end} bytes of trailing data`);
  return node;
}

/** The TLVs inside a constructed node, in order. */
export function children(node: DerNode): DerNode[] {
  if (!(node.tag & 0x20)) throw new DerError(`tag 0x${node.tag.toString(16)} is not constructed`);
  const out: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readNode(node.content, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** Checks a node's tag, naming `what` in the error. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new DerError(`${what} is missing`);
  if (node.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** The dotted form of an OBJECT IDENTIFIER's content. */
export function decodeOid(content: Buffer): string {
  if (content.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < content.length; i++) {
    const b = content[i]!;
    if (v === 0 && b === 0x80) throw new DerError('non-minimal OBJECT IDENTIFIER arc');
    v = v * 128 + (b & 0x7f);
    if (!Number.isSafeInteger(v)) throw new DerError('OBJECT IDENTIFIER arc too large');
    if (!(b & 0x80)) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (i === content.length - 1) throw new DerError('truncated OBJECT IDENTIFIER');
  }
  return arcs.join('.');
}

/** A BIT STRING's bytes, which must be whole bytes (as keys and signatures are). */
export function bitStringBytes(node: DerNode): Buffer {
  if (node.content.length === 0 || node.content[0] !== 0) throw new DerError('BIT STRING with unused bits where whole bytes are expected');
  return node.content.subarray(1);
}
