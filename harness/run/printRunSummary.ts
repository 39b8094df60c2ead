import { terminalSafe, type Report, type ReportFormat } from '../../reports/index.ts';
import type { RunIo } from './RunOptions.ts';

/** The lines after the progress: counts, verdicts, why Entra blocks the key, what was written. */
export function printRunSummary(report: Report, written: Partial<Record<ReportFormat, string>>, io: RunIo): void {
  const s = report.summary;
  const lines = [
    '',
    `${s.passed} passed, ${s.failed} failed, ${s.warned} warned, ${s.skipped} skipped, ${s.errored} errored`,
    `Microsoft-compatible: ${report.microsoft?.verdict ?? 'not evaluated'}; Entra: ${report.entra?.verdict ?? 'not evaluated'}`,
    ...entraAdvice(report),
    ...(report.incomplete ? [`INCOMPLETE: ${terminalSafe(report.incompleteReason ?? '')}`] : []),
    ...Object.values(written).map((f) => `wrote ${terminalSafe(f)}`),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Why Entra blocks the key, and the policy fragment an admin would PATCH to allow it (Graph resource
 * fido2AuthenticationMethodConfiguration, docs/microsoft-entra.md).
 */
function entraAdvice(report: Report): string[] {
  const entra = report.entra;
  if (entra?.verdict !== 'blocked') return [];
  const failing = entra.reasons.filter((r) => r.status === 'fail').map((r) => `  ${r.id}: ${terminalSafe(r.message)}`);
  return [
    ...failing,
    'To allow it, PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2 with:',
    // a JSON document: its strings are JSON-escaped already, and its line breaks are ours
    JSON.stringify(entra.suggestedPolicy, null, 2),
  ];
}
