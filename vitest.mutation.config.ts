import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The tests StrykerJS runs against each mutant: the area's own list from scripts/mutationAreas.mjs
// (MUTATION_TESTS, comma-separated globs, '!' excludes), set by scripts/mutation.mjs. No build set-up:
// the area tests import the sources and spawn nothing.
const list = (process.env.MUTATION_TESTS ?? 'test/compat/*.test.ts').split(',').filter(Boolean);
const config = mergeConfig(base, defineConfig({ test: { exclude: ['node_modules/**', 'runs/**', 'web/dist/**', '.stryker-tmp/**', ...list.filter((g) => g.startsWith('!')).map((g) => g.slice(1))] } }));
config.test!.include = list.filter((g) => !g.startsWith('!'));
config.test!.globalSetup = [];
// One module graph per worker for all mutants: Stryker switches mutants at run time (mutant schemata), so
// nothing needs re-importing between runs. entraScope.ts: 148 mutants in 2.9 min instead of 6.9, same score.
config.test!.isolate = false;
export default config;
