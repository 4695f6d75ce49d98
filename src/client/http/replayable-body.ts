import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Cancellation } from '../../core/index.js';

type Body = Dispatcher.DispatchOptions['body'];

/** True when the body can be sent again as it is (absent, a string or bytes). */
export function isReplayable(body: Body): boolean {
  return body == null || typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array;
}

/**
 * Reads a streamed request body into memory up to `maxBytes`, so that a retry can send it
 * again. A larger body is not held: the result is a stream of what was read followed by the
 * rest, and `replayable` is false (the call then goes out once). The read stops when
 * `cancellation` fires (the call's deadline, the caller's abort): it rejects with the reason
 * at once and destroys the body, so a stalled upload cannot outlive the call.
 */
export async function bufferBody(body: Body, maxBytes: number, cancellation?: Cancellation): Promise<{ body: Body; replayable: boolean }> {
  if (isReplayable(body)) return { body, replayable: true };
  if (!isAsyncIterable(body)) return { body, replayable: false };
  const iterator = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  const stopped = cancellation && untilCancelled(cancellation, body);
  try {
    for (;;) {
      const next = stopped ? await Promise.race([iterator.next(), stopped.promise]) : await iterator.next();
      if (next.done) return { body: Buffer.concat(chunks, size), replayable: true };
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) return { body: Readable.from(resume(chunks, iterator)), replayable: false };
    }
  } finally {
    stopped?.off();
  }
}

/** A promise that rejects with the cancellation's reason, destroying `body` then. */
function untilCancelled(cancellation: Cancellation, body: Body): { promise: Promise<never>; off: () => void } {
  let off = noop;
  const promise = new Promise<never>((_, reject) => {
    off = cancellation.onCancel((reason) => {
      (body as { destroy?: (err?: unknown) => void }).destroy?.(reason);
      reject(reason);
    });
  });
  promise.catch(noop); // rejected only while someone races it
  return { promise, off };
}

function noop(): void {}

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
