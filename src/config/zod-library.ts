import { createRequire } from 'node:module';

type ZodModule = typeof import('zod');
export type Zod = ZodModule['z'];

let zod: ZodModule | undefined;

/**
 * Loads zod before a configuration is validated: as an ES module, the instance an application that
 * imports zod itself shares. createMesh and reloads await this, so validation stays synchronous.
 */
export async function preloadZod(): Promise<void> {
  zod ??= await import('zod');
}

/**
 * zod, loaded on the first validation rather than at import (about 6 MB of RSS a process that never
 * validates does not pay): the module preloaded above, or, for a synchronous caller that did not
 * preload, its CommonJS build.
 */
export function zodLibrary(): ZodModule {
  return (zod ??= createRequire(import.meta.url)('zod') as ZodModule);
}
