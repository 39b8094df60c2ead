import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { REPORT_FORMATS, type Report, type ReportFormat } from '../../reports/model.ts';
import { diffReports, formatReportDiff } from '../../reports/diffReports.ts';
import { parseReport } from '../../reports/validateReport.ts';
import { ReportValidationError } from '../../reports/ReportValidationError.ts';
import { writeReports } from '../../reports/writeReports.ts';

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = 'usage: fido-harness report RUN.json [--format html,junit,md] [--out DIR] | fido-harness report diff A.json B.json';

class UsageError extends Error {}

async function loadReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseReport(text);
  } catch (e) {
    if (e instanceof ReportValidationError) throw new UsageError(`${path} is not a valid report.json (${e.code}): ${e.path || '/'} ${e.reason}`);
    throw e;
  }
}

function parseFormats(value: string): ReportFormat[] {
  const formats = value.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format '${f}' (known: ${REPORT_FORMATS.join(', ')})`);
  }
  if (!formats.length) throw new UsageError('--format needs at least one format');
  return formats as ReportFormat[];
}

/**
 * `fido-harness report …`: `args` are the words after "report". Exit codes (DESIGN.md): 0 done (diff:
 * nothing got worse), 1 diff found something worse, 2 usage error or an unreadable/invalid report.json.
 */
export async function runReportCommand(args: string[], io: CommandIo = process): Promise<number> {
  try {
    if (args[0] === 'diff') {
      if (args.length !== 3) throw new UsageError(USAGE);
      const [a, b] = await Promise.all([loadReport(args[1]!), loadReport(args[2]!)]);
      const diff = diffReports(a, b);
      io.stdout.write(`${formatReportDiff(diff)}\n`);
      return diff.worse ? 1 : 0;
    }
    let input: string | undefined;
    let formats: ReportFormat[] = ['html', 'junit', 'md'];
    let out: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--format' || arg === '--out') {
        const value = args[++i];
        if (value === undefined) throw new UsageError(`${arg} needs a value`);
        if (arg === '--format') formats = parseFormats(value);
        else out = value;
      } else if (arg.startsWith('--format=')) formats = parseFormats(arg.slice(9));
      else if (arg.startsWith('--out=')) out = arg.slice(6);
      else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}\n${USAGE}`);
      else if (input === undefined) input = arg;
      else throw new UsageError(`unexpected argument ${arg}\n${USAGE}`);
    }
    if (input === undefined) throw new UsageError(USAGE);
    const report = await loadReport(input);
    const written = await writeReports(report, out ?? dirname(input), formats);
    for (const path of Object.values(written)) io.stdout.write(`wrote ${path}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`fido-harness report: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
