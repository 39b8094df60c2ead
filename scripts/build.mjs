// `npm run build` (and `npm install`, through `prepare`): the CLI compiled to dist/ by tsc (TypeScript 7,
// emit only: `npm run typecheck` checks types) and the page built to web/dist by Vite. Each build's stamp
// carries the time it started (scripts/freshness.mjs). `--if-stale` skips what is current.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_SOURCES, CLI_STAMP, isFresh, PAGE_SOURCES, PAGE_STAMP } from './freshness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ifStale = process.argv.includes('--if-stale');
const only = process.argv.includes('--cli') ? 'cli' : process.argv.includes('--page') ? 'page' : 'both';
const require = createRequire(import.meta.url);

function stamp(file, startedAt) {
  writeFileSync(file, `${new Date(startedAt).toISOString()}\n`);
  utimesSync(file, startedAt / 1000, startedAt / 1000);
}

/** Non-TypeScript files the code reads beside itself (the bundled MDS roots, the report schema). */
function copyAssets(dir) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (!entry.name.endsWith('.ts')) {
      mkdirSync(join(root, 'dist', dir), { recursive: true });
      cpSync(join(root, path), join(root, 'dist', path));
    }
  }
}

function buildCli() {
  if (ifStale && isFresh(root, CLI_STAMP, CLI_SOURCES)) return;
  const startedAt = Date.now();
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json exited with ${r.status ?? r.signal}`);
  for (const dir of ['harness', 'authenticator-sim', 'mds', 'reports']) copyAssets(dir);
  stamp(join(root, CLI_STAMP), startedAt);
  console.log(`built the CLI into ${relative(process.cwd(), join(root, 'dist')) || '.'}/ in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

async function buildPage() {
  if (ifStale && isFresh(root, PAGE_STAMP, PAGE_SOURCES)) return;
  const startedAt = Date.now();
  const { build } = await import('vite');
  await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'web'), logLevel: 'warn' });
  stamp(join(root, PAGE_STAMP), startedAt);
  console.log(`built the page into web/dist/ in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

try {
  if (only !== 'page') buildCli();
  if (only !== 'cli') await buildPage();
} catch (err) {
  console.error(`build failed: ${err.message}`);
  process.exitCode = 1;
}
