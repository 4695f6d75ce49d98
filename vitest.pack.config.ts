import { defineConfig } from 'vitest/config';

// The packaging test (`npm run test:pack`): packs inmesh, installs the tarball into an empty
// project from the registry and runs it there. Slow (tens of seconds), so not in `npm test`.
export default defineConfig({
  test: {
    include: ['test/packaging/**/*.pack-test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
