export * from './latency-histogram.js';
export * from './histogram-metric.js';
export * from './counter-metric.js';
export * from './gauge-metric.js';
export * from './mesh-metrics.js';
export * from './console-logger.js';
