import { terminalSafe } from '../../reports/terminalSafe.ts';
import type { CheckResult } from '../../reports/model.ts';

export interface ProgressIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface Progress {
  /** the checks about to run, so each area's size is known */
  plan(checks: readonly { suite: string }[]): void;
  start(check: { suite: string; id: string }, index: number, total: number): void;
  result(result: CheckResult, index: number, total: number): void;
  done(): void;
}

/**
 * Run progress: on a terminal one line per area that updates in place ("make-credential ▸ 23/31")
 * with failures printed above it; with NO_COLOR, CI or a non-TTY stdout, plain lines: one per area when it
 * ends, and one per failing check.
 */
export function createProgress(io: ProgressIo): Progress {
  const live = io.stdout.isTTY === true && !io.env.NO_COLOR && !io.env.CI;
  const color = live;
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[0m` : s);
  const yellow = (s: string) => (color ? `\x1b[33m${s}\x1b[0m` : s);
  let area = '';
  let counts = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  let inArea = 0;
  let areaTotal = 0;
  let areaSizes = new Map<string, number>();
  const write = (s: string) => io.stdout.write(s);
  const clear = () => live && write('\r\x1b[2K');
  const flushArea = () => {
    if (!area) return;
    clear();
    write(`${area}: ${counts.pass} passed, ${counts.fail} failed, ${counts.warn} warned, ${counts.skip} skipped, ${counts.error} errored\n`);
  };
  return {
    plan(checks) {
      areaSizes = new Map();
      for (const c of checks) areaSizes.set(c.suite, (areaSizes.get(c.suite) ?? 0) + 1);
    },
    start(check, index, total) {
      if (check.suite !== area) {
        flushArea();
        area = check.suite;
        counts = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
        inArea = 0;
        areaTotal = areaSizes.get(area) ?? 0;
      }
      if (live) {
        clear();
        write(`${area} ▸ ${inArea + 1}${areaTotal ? `/${areaTotal}` : ''}  (${index + 1}/${total}) ${check.id}`);
      }
    },
    result(r) {
      counts[r.status]++;
      inArea++;
      if (r.status === 'fail' || r.status === 'error') {
        clear();
        write(`${red(r.status.toUpperCase())} ${r.id} ${r.title}: ${terminalSafe(r.message)}\n`);
      } else if (r.status === 'warn' && live) {
        clear();
        write(`${yellow('WARN')} ${r.id}: ${terminalSafe(r.message)}\n`);
      }
    },
    done() {
      flushArea();
      area = '';
      areaSizes = new Map();
    },
  };
}
