/**
 * Raw HTTP/2 frames, for clients that misbehave in ways node:http2's client will not
 * (it queues streams past the server's limit and never floods).
 */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

const TYPE = { HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, GOAWAY: 0x7 } as const;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** An empty SETTINGS frame: the client's half of the connection preface. */
export function settings(): Buffer {
  return frame(TYPE.SETTINGS, 0, 0, Buffer.alloc(0));
}

/** `GET path` on `streamId` (HPACK: :method GET and :scheme http indexed; :authority and :path literals, the path at most 126 bytes). */
export function getRequest(streamId: number, path: string): Buffer {
  const value = Buffer.from(path, 'latin1');
  const block = Buffer.concat([Buffer.from([0x82, 0x86, 0x01, 0x01, 0x61, 0x04, value.length]), value]);
  return frame(TYPE.HEADERS, END_HEADERS | END_STREAM, streamId, block);
}

export function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code, 0);
  return frame(TYPE.RST_STREAM, 0, streamId, payload);
}

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** The whole frames in what a server sent (after the client's preface there is no other framing). */
export function parseFrames(received: Buffer): Frame[] {
  const out: Frame[] = [];
  for (let at = 0; at + 9 <= received.length; ) {
    const length = received.readUIntBE(at, 3);
    if (at + 9 + length > received.length) break;
    out.push({ type: received[at + 3]!, flags: received[at + 4]!, streamId: received.readUInt32BE(at + 5) & 0x7fffffff, payload: received.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return out;
}

/** The first GOAWAY in what a server sent: its last stream id and error code. */
export function goaway(received: Buffer): { lastStreamId: number; code: number } | undefined {
  const f = parseFrames(received).find((x) => x.type === TYPE.GOAWAY);
  return f && { lastStreamId: f.payload.readUInt32BE(0) & 0x7fffffff, code: f.payload.readUInt32BE(4) };
}

/** The error code of the first GOAWAY in what a server sent, if there is one. */
export function goawayCode(received: Buffer): number | undefined {
  return goaway(received)?.code;
}

export const FRAME = { ...TYPE, DATA: 0x0, END_STREAM } as const;
