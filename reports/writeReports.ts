import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPORT_FILE_NAMES, type Report, type ReportFormat } from './model.ts';
import { renderHtml } from './renderHtml.ts';
import { renderJunit } from './renderJunit.ts';
import { renderMarkdown } from './renderMarkdown.ts';
import { validateReport } from './validateReport.ts';

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'html':
      return renderHtml(report);
    case 'junit':
      return renderJunit(report);
    case 'md':
      return renderMarkdown(report);
  }
}

/**
 * Validates the report (a ReportValidationError names the first violation; nothing is written then) and
 * writes each format into `outDir` (created if needed) under its name (docs/report-model.md): report.json, report.html,
 * junit.xml, summary.md. Returns the paths written, by format.
 */
export async function writeReports(report: Report, outDir: string, formats: readonly ReportFormat[]): Promise<Partial<Record<ReportFormat, string>>> {
  const check = validateReport(report);
  if (!check.valid) throw check.error;
  await mkdir(outDir, { recursive: true });
  const written: Partial<Record<ReportFormat, string>> = {};
  for (const format of new Set(formats)) {
    const path = join(outDir, REPORT_FILE_NAMES[format]);
    await writeFile(path, renderReport(report, format));
    written[format] = path;
  }
  return written;
}
