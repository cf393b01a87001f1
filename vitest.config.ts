import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // onnxruntime sessions and worker pools are heavy: forks keep native state per file
    pool: 'forks',
    maxWorkers: 2,
  },
});
