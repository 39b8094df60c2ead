import type { Report } from './model.ts';
import { ReportValidationError } from './ReportValidationError.ts';
import { summarizeChecks } from './summarizeChecks.ts';
import { validateJsonSchema, type JsonSchema } from './validateJsonSchema.ts';
import schemaJson from './report.schema.json' with { type: 'json' };

/** report.schema.json, the JSON Schema of report.json (schemaVersion 1) */
export const reportSchema = schemaJson as unknown as JsonSchema;

export type ReportValidation = { valid: true; report: Report } | { valid: false; error: ReportValidationError };

/**
 * Checks a parsed report.json against report.schema.json, then what a schema cannot say: check ids are
 * unique and the summary equals the counts of the checks. Returns the FIRST violation.
 */
export function validateReport(value: unknown): ReportValidation {
  const violation = validateJsonSchema(value, reportSchema);
  if (violation) return { valid: false, error: new ReportValidationError('REPORT_SCHEMA_VIOLATION', violation.path, violation.reason) };
  const report = value as Report;
  const seen = new Set<string>();
  for (const [i, c] of report.checks.entries()) {
    if (seen.has(c.id)) return { valid: false, error: new ReportValidationError('REPORT_INCONSISTENT', `/checks/${i}/id`, `duplicate check id ${c.id}`) };
    seen.add(c.id);
  }
  const counted = summarizeChecks(report.checks);
  for (const key of Object.keys(counted) as (keyof typeof counted)[]) {
    if (report.summary[key] !== counted[key]) {
      return {
        valid: false,
        error: new ReportValidationError('REPORT_INCONSISTENT', `/summary/${key}`, `is ${report.summary[key]} but the checks count ${counted[key]}`),
      };
    }
  }
  return { valid: true, report };
}

/** JSON text → a valid Report, or a ReportValidationError (REPORT_NOT_JSON or the first violation). */
export function parseReport(text: string): Report {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ReportValidationError('REPORT_NOT_JSON', '', `not JSON: ${(e as Error).message}`);
  }
  const result = validateReport(value);
  if (!result.valid) throw result.error;
  return result.report;
}
