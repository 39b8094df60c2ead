// `npm run bench`: every figure next to a baseline measured in the same run, as a ratio, so
// noise on a shared machine cancels. Writes runs/bench.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchCli } from './cli.ts';
import { benchCtaphid } from './ctaphid.ts';
import { benchMds } from './mds.ts';
import { figure, type BenchFigure } from './measure.ts';
import { benchRp } from './rp.ts';
import { benchSimulator } from './sim.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The full default run in a child process (wall time, peak RSS, checks), against the same child doing
 * nothing but loading the CLI (`fido-harness --help`): the start-up every run pays.
 */
function benchRun(): BenchFigure[] {
  const child = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/runChild.ts', ...args], { cwd: root, encoding: 'utf8' });
    const wall = (performance.now() - t) / 1000;
    const line = r.stdout.trim().split('\n').at(-1) ?? '{}';
    return { wall, ...(JSON.parse(line) as { maxRssMB: number; checks: number; defined: number; code: number; touches: number; checksRun: number }) };
  };
  const idle = child(['idle']);
  const run = child(['run']);
  if (run.code !== 0) throw new Error(`the default run exited ${run.code}`);
  // the same run against a simulator as slow as a real key: a second per touch, tens of ms per signature
  const realistic = child(['realistic']);
  if (realistic.code !== 0) throw new Error(`the realistic-latency run exited ${realistic.code}`);
  return [
    figure('run.wallSeconds', run.wall, 's', idle.wall, 'the same process loading the CLI only'),
    figure('run.peakRssMB', run.maxRssMB, 'MB', idle.maxRssMB, 'the same process loading the CLI only'),
    figure('run.checks', run.checks, 'checks', run.defined, 'checks defined (1.0: every check ran)'),
    figure('run.checksPerSecond', run.checks / run.wall, 'checks/s', run.checks / idle.wall, 'checks per second of bare CLI start-up'),
    figure('run.touches', run.touches, 'touches', run.checksRun, 'checks run (touches per check run)'),
    figure('run.realisticSeconds', realistic.wall, 's', 180, 'the 3-minute target (ratio <= 1 meets it)'),
  ];
}

const sections: Array<[string, () => Promise<BenchFigure[]> | BenchFigure[]]> = [
  ['cli', () => benchCli()],
  ['run', benchRun],
  ['simulator', benchSimulator],
  ['rp', () => benchRp()],
  ['mds', benchMds],
  ['ctaphid', benchCtaphid],
];
const figures: BenchFigure[] = [];
for (const [name, fn] of sections) {
  process.stderr.write(`bench: ${name}…\n`);
  figures.push(...(await fn()));
}
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('id', 26)}${pad('value', 14)}${pad('unit', 18)}${pad('baseline', 14)}${pad('ratio', 9)}baseline is`);
for (const f of figures) {
  console.log(`${pad(f.id, 26)}${pad(String(f.value), 14)}${pad(f.unit, 18)}${pad(String(f.baseline), 14)}${pad(String(f.ratio), 9)}${f.note ?? ''}`);
}
mkdirSync(new URL('../runs', import.meta.url), { recursive: true });
writeFileSync(new URL('../runs/bench.json', import.meta.url), `${JSON.stringify(figures.map(({ note: _n, ...f }) => f), null, 2)}\n`);
console.log('wrote runs/bench.json');
