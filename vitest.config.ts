import { defineConfig } from 'vitest/config';

/**
 * One run for the whole repository: every package's tests, serially (the machine has two cores
 * and the tests start real servers), against one fresh database made by test/global-setup.ts.
 */
export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    include: ['{packages/*,subgraphs/*,gateway,schema}/{src,test}/**/*.test.ts', 'test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
