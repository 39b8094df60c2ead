#!/usr/bin/env node
// The `fido-harness` executable: the compiled CLI (dist/, built by `npm install` or `npm run build`) when it
// is newer than every TypeScript source; otherwise — a checkout being edited — the sources through tsx, so
// a stale build never runs. FIDO_HARNESS_FROM_SOURCE=1 always runs the sources.
import { CLI_SOURCES, CLI_STAMP, isFresh } from '../scripts/freshness.mjs';

const root = new URL('..', import.meta.url).pathname;
if (!process.env.FIDO_HARNESS_FROM_SOURCE && isFresh(root, CLI_STAMP, CLI_SOURCES)) {
  await import('../dist/harness/commands/cli.js');
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('fido-harness: dist/ is missing or older than the sources, and tsx is not installed: run npm run build\n');
    process.exit(2);
  }
  register();
  await import('../harness/commands/cli.ts');
}
