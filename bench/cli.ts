// CLI start-up: `fido-harness --help` and `run --help` as a user runs them (bin/fido-harness.mjs, the compiled
// build when current), against bare `node -e 0` started the same way in the same run. Target ratio ≤ 4.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { figure, type BenchFigure } from './measure.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function seconds(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function benchCli(rounds = 9): BenchFigure[] {
  const bare: number[] = [];
  const help: number[] = [];
  const runHelp: number[] = [];
  // interleaved, so load on the machine falls on all three alike
  for (let i = 0; i < rounds; i++) {
    bare.push(seconds(['-e', '0']));
    help.push(seconds(['bin/fido-harness.mjs', '--help']));
    runHelp.push(seconds(['bin/fido-harness.mjs', 'run', '--help']));
  }
  return [
    figure('cli.startSeconds', median(help), 's', median(bare), 'bare node -e 0 (target ratio ≤ 4)'),
    figure('cli.runHelpSeconds', median(runHelp), 's', median(bare), 'bare node -e 0 (target ratio ≤ 4)'),
  ];
}
