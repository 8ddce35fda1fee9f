import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the CPUs: a single worker on a 2-core machine. The test
    // processes do the work (the main process only collects results), so use every core.
    maxWorkers: Math.max(2, availableParallelism()),
    reporters: ['default'],
  },
});
