export * from './otel-api.js';
export * from './attribute-names.js';
export * from './mesh-tracing.js';
export * from './sdk-setup.js';
export * from './workload-tracing.js';
