#!/usr/bin/env node
// `npm run mutation`: StrykerJS over every area, one after the other (scripts/mutationAreas.mjs).
// `npm run mutation -- --mutate 'harness/compat/**/*.ts'`: one area (or part of one); other arguments go to
// `stryker run` as they are (e.g. --concurrency 1). Reports: runs/mutation/<area>/index.html and mutation.json.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MUTATION_AREAS, areasOf } from './mutationAreas.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf('--mutate');
const globs = at >= 0 ? (args[at + 1] ?? '').split(',').filter(Boolean) : [];
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;

let runs;
if (globs.length > 0) {
  // Globs inside one area (or part) run as that area with the globs as given; a recursive glob over several
  // parts (harness/suites) runs each part whole, one after the other.
  const named = globs.map((g) => ({ glob: g, areas: areasOf(g) }));
  const unknown = named.filter((n) => n.areas.length === 0);
  if (unknown.length > 0) {
    process.stderr.write(`mutation: ${unknown.map((n) => n.glob).join(', ')} is in no area: ${MUTATION_AREAS.map((a) => a.mutate[0]).join(', ')}\n`);
    process.exit(2);
  }
  const areas = new Set(named.flatMap((n) => n.areas));
  if (areas.size === 1) runs = [{ area: [...areas][0], mutate: globs }];
  else if (named.length === 1) runs = named[0].areas.map((area) => ({ area, mutate: area.mutate }));
  else {
    process.stderr.write(`mutation: --mutate must name files of one area, or one folder of areas: ${MUTATION_AREAS.map((a) => a.name).join(', ')}\n`);
    process.exit(2);
  }
} else {
  runs = MUTATION_AREAS.map((area) => ({ area, mutate: area.mutate }));
}

let failed = 0;
for (const { area, mutate } of runs) {
  const started = Date.now();
  process.stdout.write(`mutation: area ${area.name} (${mutate.join(', ')}) against ${(process.env.MUTATION_TESTS || area.tests.join(',')).split(',').join(' ')}\n`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url)), 'run', 'stryker.config.mjs', '--mutate', mutate.join(','), ...rest], {
    cwd: root,
    stdio: 'inherit',
    // MUTATION_TESTS set by the caller narrows the area's test list (e.g. to measure a part of an area fast;
    // fewer tests can only kill fewer mutants, so such a score is a lower bound)
    env: { ...process.env, MUTATION_AREA: area.name, MUTATION_TESTS: process.env.MUTATION_TESTS || area.tests.join(',') },
  });
  process.stdout.write(`mutation: area ${area.name} finished in ${Math.round((Date.now() - started) / 1000)} s (exit ${r.status})\n`);
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
