// A child process for bench/index.ts: `run` does the default run (json only, into runs/bench-run);
// `realistic` the same against the simulator answering like a real key (`--sim-latency realistic`: a second
// per touch); `idle` loads the same CLI module graph and stops. Prints {maxRssMB, checks, defined, code,
// touches, checksRun} as its last line.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';

const mode = process.argv[2];
const quiet = new Writable({ write: (_c, _e, done) => done() });
const { runRunCommand } = await import('../harness/commands/run.ts');
const { ALL_CHECKS } = await import('../harness/suites/index.ts');
let code = 0;
let checks = 0;
let touches = 0;
let checksRun = 0;
if (mode === 'run' || mode === 'realistic') {
  const out = `runs/bench-${mode}`;
  const latency = mode === 'realistic' ? ['--sim-latency', 'realistic'] : [];
  code = await runRunCommand(['--out', out, '--format', 'json', ...latency], { stdout: quiet, stderr: quiet, env: { NO_COLOR: '1' } });
  const report = JSON.parse(readFileSync(`${out}/report.json`, 'utf8')) as { checks: unknown[]; run?: { touches: number; checksRun: number } };
  checks = report.checks.length;
  touches = report.run?.touches ?? 0;
  checksRun = report.run?.checksRun ?? 0;
}
console.log(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024, checks, defined: ALL_CHECKS.length, code, touches, checksRun }));
