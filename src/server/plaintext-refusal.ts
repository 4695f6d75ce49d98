import type { Socket } from 'node:net';
import { refusalBody } from './refusal.js';

const BODY = refusalBody('MESH_ERR_UNAUTHORIZED', 'this service accepts mTLS only (mtls: strict): call it through the mesh, or with a client certificate');
/** 426 with `Upgrade: TLS/1.2` is HTTP's own way (RFC 2817) to say: this resource needs TLS. */
const HTTP1_ANSWER =
  `HTTP/1.1 426 Upgrade Required\r\nupgrade: TLS/1.2, HTTP/1.1\r\nconnection: close\r\ncontent-type: application/json\r\n` +
  `content-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`;

/**
 * A plaintext connection to a strict mTLS port. An HTTP/1.1 client is told why before the close,
 * so `curl http://…` shows the reason; an HTTP/2 client with prior knowledge cannot be answered
 * without a session, and is closed.
 */
export function refusePlaintext(socket: Socket, h2: boolean): void {
  if (h2) {
    socket.destroy();
    return;
  }
  socket.end(HTTP1_ANSWER, () => socket.destroy());
}
