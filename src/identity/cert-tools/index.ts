export { inspectCertificates } from './inspect-certificates.js';
export { issueDevCertificate, type IssueDevCertificateOptions, type IssuedDevCertificate } from './issue-dev-certificate.js';
export {
  checkServiceIdentity,
  CHECK_CLIENT_SERVICE,
  type CheckServiceIdentityOptions,
  type IdentityCheckFailure,
  type ServiceIdentityCheck,
} from './check-service-identity.js';
