export * from './spiffe-id.js';
export * from './peer-identity.js';
export * from './workload-identity.js';
export * from './credential-files.js';
export * from './start-identity.js';
export * from './renewal.js';
