// Mutation testing: run through `npm run mutation` (scripts/mutation.mjs), which picks the area's tests
// (MUTATION_TESTS, read by vitest.mutation.config.ts) and names the report folder (MUTATION_AREA).
// Not part of `npm test`. Equivalent mutants are named where they live: `// Stryker disable next-line
// <mutator>: <reason>` (docs/mutation-testing.md lists them).
import { fileURLToPath } from 'node:url';

const area = process.env.MUTATION_AREA ?? 'adhoc';
// sim-commands: the simulator's CtapStatusError detail text never leaves the authenticator (equivalent mutants,
// scripts/strykerStatusDetailIgnorer.mjs); elsewhere such text reaches the user and stays mutated.
const simStatusDetail = area === 'sim-commands';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // related: false — the area's test list is the selection; per-test coverage then narrows it per mutant.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: ['mds/**/*.ts', 'harness/compat/**/*.ts', 'harness/suites/**/*.ts', 'harness/protocol/**/*.ts', 'authenticator-sim/commands/**/*.ts'],
  // anchored: harness/rp/runs/ is code (an unanchored 'runs' left it out of the sandbox, and every test
  // importing the suites failed to load there without a word)
  ignorePatterns: ['/runs', '/dist', '/web/dist', '/.stryker-tmp', '/scratch'],
  // Static mutants (module-level constants, evaluated once at import) are left out: each needs every test of
  // the area re-run in a fresh module graph. The report counts them as ignored.
  ignoreStatic: true,
  appendPlugins: simStatusDetail ? [fileURLToPath(new URL('./scripts/strykerStatusDetailIgnorer.mjs', import.meta.url))] : [],
  ignorers: simStatusDetail ? ['sim-status-detail'] : [],
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `runs/mutation/${area}/index.html` },
  jsonReporter: { fileName: `runs/mutation/${area}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  concurrency: 2,
  timeoutMS: 30_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 30,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // TypeScript 7 (the native compiler) has no JavaScript compiler API: Stryker's tsconfig rewriting and its
  // TypeScript checker need one, so there is no checker and the sandbox keeps tsconfig.json as it is.
  tsconfigFile: 'tsconfig.stryker-absent.json',
};
