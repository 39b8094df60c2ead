import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error — a plain ESM script without types
import { MUTATION_AREAS, areasOf } from '../../scripts/mutationAreas.mjs';

interface Area {
  name: string;
  mutate: string[];
  tests: string[];
}
const areas = MUTATION_AREAS as Area[];
const names = (glob: string) => (areasOf(glob) as Area[]).map((a) => a.name);
const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('the mutation areas (scripts/mutationAreas.mjs)', () => {
  it('gives every folder of harness/suites a part of its own, and every part a folder', () => {
    const folders = readdirSync(new URL('../../harness/suites/', import.meta.url), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const parts = areas.filter((a) => a.name.startsWith('suites-') && a.name !== 'suites-top' && a.name !== 'suites-ctaphid-session').map((a) => a.name.slice('suites-'.length));
    expect(parts.sort()).toEqual(folders);
  });

  it('mutates the ctaphid session files in their own part only', () => {
    const session = areas.find((a) => a.name === 'suites-ctaphid-session')!;
    const checks = areas.find((a) => a.name === 'suites-ctaphid')!;
    expect(session.mutate.every((f) => existsSync(new URL(`../../${f}`, import.meta.url)))).toBe(true);
    expect(checks.mutate.filter((m) => m.startsWith('!')).map((m) => m.slice(1))).toEqual(session.mutate);
  });

  it('names only test files that exist', () => {
    const missing = areas.flatMap((a) => a.tests.filter((t) => !t.startsWith('!') && !t.includes('*') && !existsSync(new URL(`../../${t}`, import.meta.url))));
    expect(missing).toEqual([]);
  });

  it('runs every suites part for the suites folder, and one area for a file or a folder inside one', () => {
    expect(names('harness/suites/**/*.ts')).toHaveLength(areas.filter((a) => a.name.startsWith('suites-')).length);
    expect(names('harness/suites/client-pin/**/*.ts')).toEqual(['suites-client-pin']);
    expect(names('harness/suites/ctaphid/initChecks.ts')).toEqual(['suites-ctaphid']);
    expect(names('harness/suites/ctaphid/RawSession.ts')).toEqual(['suites-ctaphid-session']);
    // pinOps.ts is client-pin's, not the top-level part's (which leaves it out)
    expect(names('harness/suites/pinOps.ts')).toEqual(['suites-client-pin']);
    expect(names('harness/suites/ops.ts')).toEqual(['suites-top']);
    expect(names('harness/suites/*.ts')).toEqual(['suites-top']);
    expect(names('harness/compat/**/*.ts')).toEqual(['compat']);
    expect(names('harness/compat/microsoft.ts')).toEqual(['compat']);
    expect(names('mds/attestation/**/*.ts')).toEqual(['mds']);
    expect(names('authenticator-sim/commands/getInfo.ts')).toEqual(['sim-commands']);
    expect(names('web/main.ts')).toEqual([]);
  });

  it('refuses a --mutate outside every area, with exit code 2 and the areas named', () => {
    const r = spawnSync(process.execPath, ['scripts/mutation.mjs', '--mutate', 'web/main.ts'], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mutation: web\/main\.ts is in no area: harness\/compat\/\*\*\/\*\.ts, /);
  });

  it('refuses globs of two areas in one --mutate, with exit code 2', () => {
    const r = spawnSync(process.execPath, ['scripts/mutation.mjs', '--mutate', 'harness/compat/microsoft.ts,mds/der.ts'], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mutation: --mutate must name files of one area, or one folder of areas: compat, mds, /);
  });
});
