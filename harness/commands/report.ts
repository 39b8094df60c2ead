import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { REPORT_FORMATS, type Report, type ReportFormat } from '../../reports/model.ts';
import { diffReports, formatReportDiff } from '../../reports/diffReports.ts';
import { parseReport } from '../../reports/validateReport.ts';
import { ReportValidationError } from '../../reports/ReportValidationError.ts';
import { writeReports } from '../../reports/writeReports.ts';
import { terminalSafe, terminalSafeJson } from '../../reports/terminalSafe.ts';
import { resolveReportFile } from '../run/runFolder.ts';
import { parseCommandArgs, subcommand, UsageError, withUsage, type CommandSpec } from './args.ts';

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const formatOption = { type: 'string', value: 'LIST', multiple: true, help: `formats to write: ${REPORT_FORMATS.filter((f) => f !== 'json').join(', ')} (default all three)` } as const;

export const REPORT_SPEC = {
  name: 'report',
  summary: 'Turn a run\'s report.json into other formats again, or compare two runs.',
  options: {},
  subcommands: {
    render: {
      name: 'report render',
      summary: 'write RUN.json as html, junit and md (also: fido-harness report RUN.json)',
      args: 'RUN.json',
      positionals: { min: 1, max: 1 },
      options: { format: formatOption, out: { type: 'string', value: 'DIR', help: 'where to write (default: beside RUN.json)' } },
    },
    diff: {
      name: 'report diff',
      summary: 'what changed from run A to run B (report.json files or run folders); exit 1 when something got worse',
      args: 'A B',
      positionals: { min: 2, max: 2 },
      options: { json: { type: 'boolean', help: 'the difference as JSON' } },
    },
  },
} as const satisfies CommandSpec;

/** A report.json, or a run folder holding one (runs/latest, runs/<time>-<device>). */
async function loadReport(arg: string): Promise<Report> {
  const path = await resolveReportFile(arg);
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

/**
 * `fido-harness report RUN.json | render RUN.json | diff A.json B.json`. Exit codes: 0 done (diff: nothing
 * got worse), 1 diff found something worse, 2 usage error or an unreadable/invalid report.json. Text from
 * the reports is escaped for the terminal; `--json` output is a JSON document (escaped by JSON itself).
 */
export async function runReportCommand(args: string[], io: CommandIo = process): Promise<number> {
  // `report RUN.json` is `report render RUN.json`
  const first = args[0];
  const words = first === undefined || first === '--help' || first === '-h' || Object.hasOwn(REPORT_SPEC.subcommands, first) ? args : ['render', ...args];
  return withUsage(REPORT_SPEC, io, async () => {
    const { sub, rest } = subcommand(REPORT_SPEC, words);
    return withUsage(sub, io, async () => {
      if (sub === REPORT_SPEC.subcommands.diff) {
        const { values, positionals } = parseCommandArgs(REPORT_SPEC.subcommands.diff, rest);
        const [a, b] = await Promise.all([loadReport(positionals[0]!), loadReport(positionals[1]!)]);
        const diff = diffReports(a, b);
        io.stdout.write(values.json ? `${terminalSafeJson(diff)}\n` : `${linesSafe(formatReportDiff(diff))}\n`);
        return diff.worse ? 1 : 0;
      }
      const { values, positionals } = parseCommandArgs(REPORT_SPEC.subcommands.render, rest);
      const input = positionals[0]!;
      const formats = (values.format.length ? values.format : ['html', 'junit', 'md']) as ReportFormat[];
      for (const f of formats) {
        if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format '${f}' (known: ${REPORT_FORMATS.join(', ')})`);
      }
      const report = await loadReport(input);
      const written = await writeReports(report, values.out ?? dirname(await resolveReportFile(input)), formats);
      for (const path of Object.values(written)) io.stdout.write(`wrote ${terminalSafe(path)}\n`);
      return 0;
    });
  });
}

/** Text from reports for the terminal: each line escaped, our own line breaks kept. */
function linesSafe(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}
