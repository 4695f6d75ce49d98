export { generateKeyPair, type KeyPair } from './keys.js';
export { issueCertificate, type CertificateIssuer, type CertificateRequest } from './issue-certificate.js';
export { createCsr, parseCsr, type CsrOptions, type ParsedCsr } from './csr.js';
export {
  describeCertificate,
  parseSubjectAltName,
  spiffeIdsOf,
  type AltNameEntry,
  type CertificateDescription,
} from './certificate-info.js';
export { splitPemCertificates } from './pem.js';
