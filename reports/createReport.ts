import { REPORT_SCHEMA_VERSION, type Report } from './model.ts';
import { summarizeChecks } from './summarizeChecks.ts';

export type ReportParts = Omit<Report, 'schemaVersion' | 'summary'>;

/** A Report from its parts, with schemaVersion set and the summary counted from the checks. */
export function createReport(parts: ReportParts): Report {
  const { incomplete, incompleteReason, microsoft, entra, ...rest } = parts;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    ...rest,
    ...(incomplete ? { incomplete: true, incompleteReason: incompleteReason ?? 'the run was cut short' } : {}),
    summary: summarizeChecks(parts.checks),
    ...(microsoft ? { microsoft } : {}),
    ...(entra ? { entra } : {}),
  };
}
