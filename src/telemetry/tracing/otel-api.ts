import { createRequire } from 'node:module';

/** The OpenTelemetry API package, typed without a static import so the library runs without it. */
export type OtelApi = typeof import('@opentelemetry/api');

let loaded: OtelApi | null | undefined;

/**
 * `@opentelemetry/api` if the application installed it (an optional peer), else undefined: a
 * service that does not trace pays for nothing. Loaded once, on the first mesh that asks.
 */
export function loadOtelApi(): OtelApi | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
