import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Clock, Logger } from '../core/index.js';
import { DenialLog } from './denial-log.js';
import { checkPeer, type PeerRefusal, type WorkloadIdentity } from '../identity/index.js';
import { refusalBody } from './refusal.js';

/** `strict` serves mTLS only; `permissive` serves mTLS and plaintext on one port (a migration). */
export type MtlsMode = 'strict' | 'permissive';

/** Why a connection was refused before any request: the `reason` label of `inmesh_tls_refused_total`. */
export type TlsRefusal = PeerRefusal | 'handshake' | 'no-client-certificate' | 'untrusted' | 'expired' | 'not-yet-valid' | 'plaintext';

export interface MtlsFrontOptions {
  readonly mode: MtlsMode;
  readonly identity: WorkloadIdentity;
  /** Offer HTTP/2 by ALPN (else HTTP/1.1 only). */
  readonly http2: boolean;
  /** How long a client has to finish the handshake. */
  readonly handshakeTimeout: number;
  /** A verified connection, with the peer's SPIFFE ID on it (`peerIdOf`). */
  readonly onSecure: (socket: TLSSocket) => void;
  readonly onRefused: (reason: TlsRefusal) => void;
  readonly log: Logger;
  readonly clock: Clock;
}

const kPeerId = Symbol('inmesh.peerId');

function peerRefusalAnswer(detail: string): string {
  const body = refusalBody('MESH_ERR_PEER_IDENTITY', `this service refused the client certificate: ${detail}`);
  return `HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
type Tagged = { [kPeerId]?: string };

/**
 * The caller's SPIFFE ID, for a request whose socket came through the mTLS front; undefined for
 * plaintext. (An HTTP/2 request's `socket` is a proxy that reads through to the session's socket.)
 */
export function peerIdOf(socket: object | undefined | null): string | undefined {
  return socket ? (socket as Tagged)[kPeerId] : undefined;
}

/** OpenSSL's verdict on a client's chain (`authorizationError`, as Node names it), in the words of the refusal counter. */
function chainRefusal(code: string): TlsRefusal {
  if (code === 'CERT_HAS_EXPIRED') return 'expired';
  if (code === 'CERT_NOT_YET_VALID') return 'not-yet-valid';
  return 'untrusted';
}

/**
 * The TLS side of a listener: a `tls.Server` that never listens, fed the sockets whose first
 * byte is a TLS handshake. It asks every client for a certificate, lets OpenSSL verify the chain
 * against the trust bundle (expiry included), then checks the SPIFFE ID, and hands the verified
 * socket on with its ID attached. A rotation replaces the server's context: handshakes from then
 * on use the new certificate, connections already open keep theirs.
 */
export class MtlsFront {
  readonly mode: MtlsMode;
  readonly #server: TlsServer;
  readonly #unsubscribe: () => void;
  readonly #denials: DenialLog;

  constructor(o: MtlsFrontOptions) {
    this.mode = o.mode;
    this.#denials = new DenialLog(o.log, o.clock);
    const id = o.identity;
    this.#server = createTlsServer({
      ...id.serverOptions,
      // The chain is verified all the same; refusing after the handshake, not inside it, is what
      // lets the refusal name its reason (OpenSSL's verify code) instead of a reset.
      requestCert: true,
      rejectUnauthorized: false,
      ALPNProtocols: o.http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      handshakeTimeout: o.handshakeTimeout,
      minVersion: 'TLSv1.2',
    });
    this.#unsubscribe = id.onChange(() => this.#server.setSecureContext(id.serverOptions));
    const refuse = (socket: TLSSocket, reason: TlsRefusal, detail: string) => {
      o.onRefused(reason);
      this.#denials.warn('mTLS connection refused', () => ({ reason, detail, remote: socket.remoteAddress }));
      // Under TLS 1.3 the client's handshake is over before the server has judged its certificate,
      // so a bare close reads as a reset. An HTTP/1.1 client is told why (HTTP/2 needs a session first).
      if (socket.alpnProtocol === 'h2') socket.destroy();
      else socket.end(peerRefusalAnswer(detail), () => socket.destroy());
    };
    this.#server.on('secureConnection', (socket: TLSSocket) => {
      // From here the socket is ours: tls.Server listens for its errors only during the
      // handshake, and a refused client that resets while it is told why must not crash us.
      socket.on('error', noop);
      const cert = socket.getPeerX509Certificate();
      if (!cert) return refuse(socket, 'no-client-certificate', 'the client sent no certificate');
      if (!socket.authorized) {
        const e = socket.authorizationError as unknown as { code?: string } | string | null;
        const code = typeof e === 'string' ? e : (e?.code ?? 'UNKNOWN');
        return refuse(socket, chainRefusal(code), `the client certificate does not verify: ${code}`);
      }
      // A resumed session repeats the verdict of the handshake it resumes; the certificate may
      // have expired since.
      if (socket.isSessionReused() && Date.parse(cert.validTo) <= Date.now()) {
        return refuse(socket, 'expired', 'the client certificate of the resumed session has expired');
      }
      const peer = checkPeer(cert, id.trustDomain);
      if (!peer.ok) return refuse(socket, peer.reason, peer.detail);
      (socket as Tagged)[kPeerId] = peer.id;
      o.onSecure(socket);
    });
    this.#server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      const reason: TlsRefusal = 'handshake';
      o.onRefused(reason);
      this.#denials.warn('TLS handshake refused', () => ({ reason, error: err.message, remote: socket.remoteAddress }));
      socket.destroy();
    });
  }

  /** Starts the handshake on a socket whose buffered first bytes are a TLS ClientHello. */
  accept(socket: Socket): void {
    // The TLS socket inherits this; half-open means nothing under TLS, and with it a client that
    // leaves mid-handshake would hold the connection until the handshake timeout.
    socket.allowHalfOpen = false;
    this.#server.emit('connection', socket);
  }

  close(): void {
    this.#unsubscribe();
    this.#server.close();
  }
}

function noop(): void {}
