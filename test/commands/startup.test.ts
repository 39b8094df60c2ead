// The executable runs the compiled build only while it is current: a source saved after the build started
// makes it run the sources instead (docs/decisions/004-compiled-start-up.md).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'fido-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the executable and its freshness rule, with a "build" and "sources" that say which one ran. */
function fakeCheckout(): string {
  const root = join(dir, `c${Math.random().toString(16).slice(2)}`);
  for (const d of ['bin', 'scripts', 'dist/harness/commands', 'harness/commands', 'authenticator-sim', 'mds', 'reports']) mkdirSync(join(root, d), { recursive: true });
  cpSync(join(REPO, 'bin/fido-harness.mjs'), join(root, 'bin/fido-harness.mjs'));
  cpSync(join(REPO, 'scripts/freshness.mjs'), join(root, 'scripts/freshness.mjs'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"type": "module"}\n');
  writeFileSync(join(root, 'dist/harness/commands/cli.js'), "console.log('build');\n");
  writeFileSync(join(root, 'harness/commands/cli.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
  return root;
}

function at(path: string, seconds: number) {
  utimesSync(path, seconds, seconds);
}

const run = (root: string, env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [join(root, 'bin/fido-harness.mjs')], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('bin/fido-harness.mjs', () => {
  it('runs the sources when there is no build stamp', () => {
    expect(run(fakeCheckout()).stdout.trim()).toBe('sources');
  });

  it('runs the build when its stamp is newer than every source, the sources as soon as one is newer', () => {
    const root = fakeCheckout();
    const now = Date.now() / 1000;
    at(join(root, 'harness/commands/cli.ts'), now - 100);
    writeFileSync(join(root, 'dist/.build-stamp'), 'x');
    at(join(root, 'dist/.build-stamp'), now - 50);
    expect(run(root).stdout.trim()).toBe('build');
    expect(run(root, { FIDO_HARNESS_FROM_SOURCE: '1' }).stdout.trim()).toBe('sources');
    // a file saved after the build started, deep in another source folder
    mkdirSync(join(root, 'mds/deep'), { recursive: true });
    writeFileSync(join(root, 'mds/deep/x.ts'), '');
    at(join(root, 'mds/deep/x.ts'), now - 10);
    expect(run(root).stdout.trim()).toBe('sources');
  });
});

describe('what --help loads', () => {
  /** the modules `node bin/fido-harness.mjs ARGS` resolves, written down by a resolve hook */
  function loaded(args: string[]): string[] {
    const log = join(dir, `loaded-${Math.random().toString(16).slice(2)}.txt`);
    const hook = join(dir, 'logHook.mjs');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}
`,
    );
    const register = join(dir, 'registerLog.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nimport { pathToFileURL } from 'node:url';\nregister(pathToFileURL(${JSON.stringify(hook)}).href);\n`);
    const r = spawnSync(process.execPath, ['--import', register, join(REPO, 'bin/fido-harness.mjs'), ...args], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return [...new Set(readFileSync(log, 'utf8').trim().split('\n'))].filter((u) => u.startsWith('file:'));
  }

  it.each([[['--help']], [['run', '--help']], [['--version']]])('%j loads the compiled parser and command list only: no package, a handful of files', (args) => {
    const files = loaded(args);
    expect(files.filter((u) => u.includes('/node_modules/'))).toEqual([]);
    expect(files.some((u) => u.includes('/dist/harness/commands/'))).toBe(true);
    expect(files.length).toBeLessThanOrEqual(12);
  });
});
