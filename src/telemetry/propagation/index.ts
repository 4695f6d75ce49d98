export * from './types.js';
export * from './traceparent.js';
export * from './tracestate.js';
export * from './baggage.js';
export * from './b3.js';
export * from './propagation.js';
