// A child process for bench/index.ts: `run` does the default run (json only, into runs/bench-run);
// `idle` loads the same CLI module graph and stops. Prints {maxRssMB, checks, defined, code} as its last line.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';

const mode = process.argv[2];
const quiet = new Writable({ write: (_c, _e, done) => done() });
const { runRunCommand } = await import('../harness/commands/run.ts');
const { ALL_CHECKS } = await import('../harness/suites/index.ts');
let code = 0;
let checks = 0;
if (mode === 'run') {
  code = await runRunCommand(['--out', 'runs/bench-run', '--format', 'json'], { stdout: quiet, stderr: quiet, env: { NO_COLOR: '1' } });
  checks = (JSON.parse(readFileSync('runs/bench-run/report.json', 'utf8')) as { checks: unknown[] }).checks.length;
}
console.log(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024, checks, defined: ALL_CHECKS.length, code }));
