import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

type Body = Dispatcher.DispatchOptions['body'];

/** True when the body can be sent again as it is (absent, a string or bytes). */
export function isReplayable(body: Body): boolean {
  return body == null || typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array;
}

/**
 * Reads a streamed request body into memory up to `maxBytes`, so that a retry can send it
 * again. A larger body is not held: the result is a stream of what was read followed by the
 * rest, and `replayable` is false (the call then goes out once).
 */
export async function bufferBody(body: Body, maxBytes: number): Promise<{ body: Body; replayable: boolean }> {
  if (isReplayable(body)) return { body, replayable: true };
  if (!isAsyncIterable(body)) return { body, replayable: false };
  const iterator = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { body: Buffer.concat(chunks, size), replayable: true };
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBytes) return { body: Readable.from(resume(chunks, iterator)), replayable: false };
  }
}

async function* resume(head: Buffer[], rest: AsyncIterator<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  yield* head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

function isAsyncIterable(x: unknown): boolean {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
