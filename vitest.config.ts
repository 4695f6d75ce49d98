import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: integration tests open real sockets, so keep the worker count modest.
    maxWorkers: 2,
  },
});
