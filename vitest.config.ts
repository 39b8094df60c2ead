import { defineConfig } from 'vitest/config';

// Tests live in test/ and beside code as *.test.ts. The page's vite.config.ts is rooted at web/,
// so vitest gets its own config rooted here (docs/architecture.md "Build and start-up").
export default defineConfig({
  test: {
    root: '.',
    include: ['test/**/*.test.ts', '{harness,authenticator-sim,mds,reports,bench}/**/*.test.ts'],
    exclude: ['node_modules/**', 'runs/**', 'web/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers on the 2-core machines this runs on: most tests wait on child processes, sockets and
    // the virtual reader, so the default (one worker there) left a core idle: 674 s -> 368 s for the suite.
    maxWorkers: 2,
    globalSetup: ['test/setup/buildIfStale.ts'],
    reporters: ['default'],
  },
});
