// Browser end-to-end tests: real standalone runtime + built renderer + Debian's Chromium.
// Run with `npx vitest run --config e2e/vitest.config.ts` (builds runtime and renderer first).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
