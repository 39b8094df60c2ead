import type { CheckResult, CheckStatus, Summary } from './model.ts';

/** the summary member that counts each status */
export const SUMMARY_KEY: Record<CheckStatus, keyof Summary> = {
  pass: 'passed',
  fail: 'failed',
  warn: 'warned',
  skip: 'skipped',
  error: 'errored',
};

/** report.summary from the checks: one count per status (docs/report-model.md). */
export function summarizeChecks(checks: readonly Pick<CheckResult, 'status'>[]): Summary {
  const summary: Summary = { passed: 0, failed: 0, warned: 0, skipped: 0, errored: 0 };
  for (const c of checks) summary[SUMMARY_KEY[c.status]]++;
  return summary;
}
