// Vitest global set-up: the compiled CLI (dist/) and the page (web/dist) rebuilt when a source is newer
// than them, so tests that spawn `fido-harness` or `serve` run what the sources say (docs/decisions/004-compiled-start-up.md).
// A failed build is not fatal: the executable then runs the sources through tsx, and serve says the page is stale.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'build.mjs'), '--if-stale'], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`test set-up: the build failed, tests run the sources:\n${r.stdout}${r.stderr}`);
}
