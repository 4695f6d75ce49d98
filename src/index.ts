export { createMesh } from './mesh.js';
export type { TracerProviderLike } from './telemetry/index.js';
export type { CreateMeshOptions, Mesh, MeshRequestOptions, MeshFetchInit } from './mesh.js';
export type { MeshStats, ServiceStats, RouteStats, EndpointStats, ServedRouteStats, WindowStats } from './mesh-stats.js';
export type { MeshCallOptions } from './client/call-options.js';
export type { MetricsHandler } from './telemetry/metrics-handler.js';
export {
  MeshError,
  isMeshError,
  MeshErrorCodes,
  NoHealthyEndpointsError,
  UnknownServiceError,
  DeadlineExceededError,
  CircuitOpenError,
  RetryBudgetExhaustedError,
  PeerIdentityError,
  ConfigValidationError,
  TransportError,
  formatConfigIssue,
} from './core/errors.js';
export type { MeshErrorCode, ConfigIssue, TransportFailure } from './core/errors.js';
export type { CallContext } from './core/context.js';
export type { Service, Layer, Endpoint } from './core/service.js';
export type { MeshConfig, ServiceConfig, ConfigSnapshot } from './config/types.js';
export { inmeshExpress, inmeshFastify, noopRegistrar } from './server/index.js';
export type {
  InboundMesh,
  MeshRequest,
  MeshHttp2Request,
  InboundOverrides,
  InmeshFastifyOptions,
  ServeOptions,
  MeshServer,
  ServeApp,
  AppKind,
  Registrar,
  ServedInstance,
  ReadinessCheck,
  ReadinessReport,
  ShutdownOptions,
} from './server/index.js';
export type { InboundConfig, AdaptiveConcurrencyConfig, AuthorizationRule, AuthenticationConfig, JwtProviderConfig } from './config/types.js';
export { inspectCertificates, issueDevCertificate, checkServiceIdentity, CHECK_CLIENT_SERVICE } from './identity/cert-tools/index.js';
export type { IssueDevCertificateOptions, IssuedDevCertificate, CheckServiceIdentityOptions, IdentityCheckFailure, ServiceIdentityCheck } from './identity/cert-tools/index.js';
export type { CertificateDescription } from './identity/x509/certificate-info.js';
