/** Building blocks for custom stacks and tests; their shape may change between minor versions. */
export { Stack, Role } from './core/stack.js';
export type { Module, Env, Logger } from './core/stack.js';
export { FakeClock } from './core/fake-clock.js';
export { systemClock } from './core/clock.js';
export type { Clock } from './core/clock.js';
export { seededRandom } from './core/random.js';
export { createCallContext, Cancellation } from './core/context.js';
export { defaultClientStack, defaultEndpointStack } from './client/default-stacks.js';
export type { ClientParams } from './client/default-stacks.js';
export type { EndpointParams } from './client/http/http-endpoint.js';
export type { ClientEnv } from './client/client-env.js';
export type { HttpRequest, HttpResponse } from './client/http/http-types.js';
export { MeshDispatcher } from './client/http/mesh-dispatcher.js';
export * from './config/control-api.js';
