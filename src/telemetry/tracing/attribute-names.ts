/**
 * Span attribute names: OpenTelemetry's stable HTTP semantic conventions, then the mesh's own
 * under `inmesh.`. Kept as constants so client and server spans cannot drift apart.
 */
export const Attr = {
  method: 'http.request.method',
  status: 'http.response.status_code',
  resendCount: 'http.request.resend_count',
  route: 'http.route',
  errorType: 'error.type',
  urlFull: 'url.full',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  peerAddress: 'network.peer.address',
  peerPort: 'network.peer.port',
  clientAddress: 'client.address',
  protocolVersion: 'network.protocol.version',
  sourceService: 'inmesh.source.service',
  sourceIdentity: 'inmesh.source.identity',
  destinationService: 'inmesh.destination.service',
  destinationIdentity: 'inmesh.destination.identity',
  meshRoute: 'inmesh.route',
  endpoint: 'inmesh.endpoint',
  attempt: 'inmesh.attempt',
  retryReason: 'inmesh.retry.reason',
  circuitState: 'inmesh.circuit.state',
} as const;

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** The semantic conventions' method value: a known method as is, anything else `_OTHER` (a caller cannot mint values). */
export function spanMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
}
