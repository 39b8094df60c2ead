// reports/: the report model, its JSON Schema and validator, renderers and run diff (docs/report-model.md).
export * from './model.ts';
export { summarizeChecks, SUMMARY_KEY } from './summarizeChecks.ts';
export { createReport, type ReportParts } from './createReport.ts';
export { validateReport, parseReport, reportSchema, type ReportValidation } from './validateReport.ts';
export { ReportValidationError } from './ReportValidationError.ts';
export { renderHtml } from './renderHtml.ts';
export { renderJunit } from './renderJunit.ts';
export { renderMarkdown } from './renderMarkdown.ts';
export { renderReport, writeReports } from './writeReports.ts';
export { diffReports, formatReportDiff, type ReportDiff, type CheckChange, type VerdictChange, type ChangeDirection } from './diffReports.ts';
export { groupByArea, type Area } from './areas.ts';
export { cleanText, escapeHtml, escapeXml, escapeMarkdown } from './escapeText.ts';
export { terminalSafe } from './terminalSafe.ts';
