import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { CertificateAuthority, Logger } from '../experimental.js';
import { answerClientError } from './http/client-error.js';
import { DAEMON_CERT_RENEW_MS, issueDaemonCertificate } from './identity/daemon-certificate.js';

export interface ControlServerOptions {
  readonly ca: CertificateAuthority;
  readonly listenHost: string;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly log: Logger;
}

/**
 * The daemon's HTTPS server: its own certificate from its CA (renewed while it runs), a client
 * certificate asked for but optional, and bounds on how long a client may take to send a
 * request, so a stalled one holds nothing for long. `stopRenewal` ends the renewal timer.
 */
export function createControlServer(o: ControlServerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): { server: Server; stopRenewal(): void } {
  const own = issueDaemonCertificate(o.ca, o.listenHost);
  const server = createServer(
    {
      cert: own.certPem,
      key: own.keyPem,
      ca: o.ca.bundlePem,
      requestCert: true,
      rejectUnauthorized: false,
      headersTimeout: o.headersTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      // Node checks both timeouts on this interval; its default (30 s) would let a stalled client sit far past them.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(o.headersTimeoutMs / 4))),
      keepAliveTimeout: 5000,
      handshakeTimeout: Math.min(10_000, o.requestTimeoutMs),
    },
    handler,
  );
  server.on('clientError', answerClientError);
  server.on('tlsClientError', (err: Error) => o.log.debug('TLS handshake refused', { error: err.message }));
  const renewal = setInterval(() => {
    try {
      const next = issueDaemonCertificate(o.ca, o.listenHost);
      server.setSecureContext({ cert: next.certPem, key: next.keyPem, ca: o.ca.bundlePem });
    } catch (e) {
      o.log.error('cannot renew the control daemon certificate', { error: (e as Error).message });
    }
  }, DAEMON_CERT_RENEW_MS);
  renewal.unref();
  return { server, stopRenewal: () => clearInterval(renewal) };
}
