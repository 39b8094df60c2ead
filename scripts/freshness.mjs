// Whether a build is current: every source file is older than the build's stamp, whose time is the
// moment that build started (so a file saved during a build makes it stale). Plain JavaScript: the
// `fido-harness` executable reads it before anything is compiled.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folders and files the compiled CLI (dist/) is built from. */
export const CLI_SOURCES = ['harness', 'authenticator-sim', 'mds', 'reports', 'tsconfig.json', 'tsconfig.build.json'];
/** The page (web/dist) is built from these. */
export const PAGE_SOURCES = ['web', 'vite.config.ts'];
export const CLI_STAMP = join('dist', '.build-stamp');
export const PAGE_STAMP = join('web', 'dist', '.build-stamp');

/** True when the stamp exists and no file under `sources` (skipping dist/ folders) is newer than it. */
export function isFresh(root, stamp, sources) {
  const built = statSync(join(root, stamp), { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return false;
  return sources.every((s) => !newerThan(join(root, s), built));
}

function newerThan(path, time) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return false;
  if (!st.isDirectory()) return st.mtimeMs > time;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    if (newerThan(join(path, entry.name), time)) return true;
  }
  return false;
}
