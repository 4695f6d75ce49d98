export * from './service.js';
export * from './clock.js';
export * from './fake-clock.js';
export * from './random.js';
export * from './errors.js';
export * from './context.js';
export * from './stack.js';
export * from './tap.js';
