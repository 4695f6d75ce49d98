export * from './spiffe-id.js';
export * from './x509/index.js';
export * from './certificate-authority.js';
export * from './dev-ca-store.js';
