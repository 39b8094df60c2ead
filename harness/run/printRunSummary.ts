import { terminalSafe, type Report, type ReportFormat } from '../../reports/index.ts';
import type { EntraFix } from '../../reports/model.ts';
import type { RequiredVerdict, RunIo } from './RunOptions.ts';

/** The lines after the progress: counts, verdicts, why Entra does not allow the key and what would, what was written. */
export function printRunSummary(report: Report, written: Partial<Record<ReportFormat, string>>, io: RunIo, require: readonly RequiredVerdict[] = []): void {
  const s = report.summary;
  const lines = [
    '',
    `${s.passed} passed, ${s.failed} failed, ${s.warned} warned, ${s.skipped} skipped, ${s.errored} errored`,
    `Microsoft-compatible: ${report.microsoft?.verdict ?? 'not evaluated'}; Entra: ${report.entra?.verdict ?? 'not evaluated'}`,
    ...(report.microsoft?.mdsNote ? [`  ${report.microsoft.mdsNote}`] : []),
    ...(report.run ? [`${report.run.touches} touches, ${report.run.replugs} replugs for ${report.run.checksRun} checks run${report.run.planned ? ` (planned ${report.run.planned.touches} and ${report.run.planned.replugs})` : ''}`] : []),
    ...entraAdvice(report),
    ...unmetRequirements(report, require),
    ...(report.incomplete ? [`INCOMPLETE: ${terminalSafe(report.incompleteReason ?? '')}`] : []),
    ...Object.values(written).map((f) => `wrote ${terminalSafe(f)}`),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** `--require microsoft,entra`: one line per verdict that is not compatible / allowed (each makes the exit code 1). */
export function unmetRequirements(report: Report, require: readonly RequiredVerdict[]): string[] {
  const out: string[] = [];
  if (require.includes('microsoft') && report.microsoft?.verdict !== 'compatible') out.push(`--require microsoft: Microsoft-compatible is ${report.microsoft?.verdict ?? 'not evaluated'}`);
  if (require.includes('entra') && report.entra?.verdict !== 'allowed') out.push(`--require entra: Entra is ${report.entra?.verdict ?? 'not evaluated'}`);
  return out;
}

function fixLines(fix: EntraFix | undefined, indent: string): string[] {
  if (!fix) return [];
  if (fix.kind === 'device') return [`${indent}${terminalSafe(fix.text)} (no policy change can help)`];
  if (fix.kind === 'none') return [`${indent}${terminalSafe(fix.text)}`];
  // a JSON document: its strings are JSON-escaped already, and its line breaks are ours
  return [`${indent}To allow it, ${fix.method} ${terminalSafe(fix.path)} with:`, ...JSON.stringify(fix.body, null, 2).split('\n').map((l) => `${indent}${l}`)];
}

/**
 * Why Entra does not allow the key, and what would (docs/microsoft-entra.md): the minimal Graph PATCH, or
 * the key's failing checks when no policy change can help; then each authentication strength that refuses it.
 */
function entraAdvice(report: Report): string[] {
  const entra = report.entra;
  if (!entra) return [];
  const lines: string[] = [];
  if (entra.verdict !== 'allowed') {
    lines.push(...entra.reasons.filter((r) => r.id.startsWith('EN-') && r.id !== 'EN-AUTH-STRENGTH' && (r.status === 'fail' || r.status === 'skip')).map((r) => `  ${r.id} ${r.status}: ${terminalSafe(r.message)}`));
    lines.push(...fixLines(entra.fix, '  '));
  }
  for (const st of entra.authStrengths ?? []) {
    // a device defect is said once, above
    if (st.status === 'fail' && !(st.fix.kind === 'device' && entra.fix?.kind === 'device')) lines.push(`  EN-AUTH-STRENGTH "${terminalSafe(st.displayName)}": ${terminalSafe(st.message)}`, ...fixLines(st.fix, '    '));
  }
  return lines;
}
