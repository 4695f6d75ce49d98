import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { buildConnector } from 'undici';
import { PeerIdentityError } from '../../core/index.js';
import { checkPeer, type WorkloadIdentity } from '../../identity/index.js';

/** mTLS to an endpoint: this workload's identity, and the SPIFFE ID the endpoint must present. */
export interface EndpointTls {
  readonly identity: WorkloadIdentity;
  /** `spiffe://<trustDomain>/svc/<service>`: the service meant, not the host dialled. */
  readonly expected: string;
  readonly service: string;
  /** Offer `h2` beside `http/1.1` by ALPN. */
  readonly http2: boolean;
  /** A connection refused for identity: counted by the caller. */
  readonly onRefused: (reason: string) => void;
}

/** OpenSSL's verdicts on a server's chain, and a server's alerts about ours: both are identity failures, not network ones. */
const VERIFY_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_CERT_ALTNAME|ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|ACCESS_DENIED|DECRYPT_ERROR|HANDSHAKE_FAILURE))/;

/**
 * Connects a Pool whose origin is the logical authority (`http://orders`) to one endpoint's
 * address. undici then writes `Host: orders` from its precomputed origin, as a plain client
 * would, at no per-request cost (a host header added per call cost 5% of throughput).
 * New sockets are the only place the endpoint address matters, and, with mTLS, the only place
 * identity does: each handshake uses the identity's current context, so a rotation reaches the
 * next connection without rebuilding the pool.
 */
export function endpointConnector(host: string, port: number, tls?: EndpointTls): buildConnector.connector {
  if (!tls) {
    const connect = buildConnector({});
    return function connectToEndpoint(opts, callback) {
      connect({ ...opts, hostname: host, host: undefined, port: String(port) }, callback);
    };
  }
  const { identity, expected } = tls;
  let context = identity.clientContext;
  let connect = secureConnector(tls);
  return function connectToEndpointOverMtls(opts, callback) {
    if (identity.clientContext !== context) {
      context = identity.clientContext;
      connect = secureConnector(tls);
    }
    connect({ ...opts, protocol: 'https:', hostname: host, host: undefined, port: String(port), servername: tls.service }, (err, socket) => {
      if (err === null) {
        callback(null, socket);
        return;
      }
      const code = (err as { code?: string }).code ?? '';
      if (err instanceof PeerIdentityError || !VERIFY_CODES.test(code)) {
        callback(err, null);
        return;
      }
      tls.onRefused(code.startsWith('ERR_SSL_') ? 'refused-our-certificate' : 'untrusted');
      const why = code.startsWith('ERR_SSL_') ? `the endpoint refused this workload's certificate (${code})` : `the endpoint's certificate does not verify (${code})`;
      callback(new PeerIdentityError(`${host}:${port}: ${why}; expected ${expected}`, { cause: err, service: tls.service, endpoint: `${host}:${port}`, rejected: true, retryable: true }), null);
    });
  };
}

function secureConnector(tls: EndpointTls): buildConnector.connector {
  const { identity, expected } = tls;
  return buildConnector({
    allowH2: tls.http2,
    // A resumed session presents the certificate of the handshake it resumes, which a rotation may
    // have replaced and whose expiry the server then refuses; pools keep their connections, so a
    // full handshake per new connection costs little.
    maxCachedSessions: 0,
    secureContext: identity.clientContext,
    rejectUnauthorized: true,
    // The server proves the service's SPIFFE ID; the host name or IP dialled proves nothing.
    checkServerIdentity(hostname: string, cert: PeerCertificate): Error | undefined {
      const check = checkPeer(new X509Certificate(cert.raw), identity.trustDomain, expected);
      if (check.ok) return undefined;
      tls.onRefused(check.reason);
      return new PeerIdentityError(`${hostname}: ${check.detail}`, { service: tls.service, rejected: true, retryable: true });
    },
  } as buildConnector.BuildOptions);
}
