import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanText, escapeHtml } from '../../reports/index.ts';
import type { Report, ReportFormat, Summary } from '../../reports/index.ts';

/** One device's line in the index of a several-device run. */
export interface RunIndexEntry {
  /** the --device entry, e.g. "udp:127.0.0.1:8111" or "hid:/dev/hidraw3" */
  device: string;
  /** the subfolder of --out holding this device's reports */
  folder: string;
  exitCode: number;
  aaguid?: string;
  summary?: Summary;
  microsoft?: string;
  entra?: string;
  incomplete?: boolean;
  incompleteReason?: string;
  /** why there is no report: the device could not be used */
  error?: string;
  /** report files, relative to the index */
  files: string[];
}

/** index.json of a several-device run (docs/report-model.md). */
export interface RunIndex {
  schemaVersion: 1;
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  /** the worst of the runs' exit codes (2 > 1 > 0) */
  exitCode: number;
  devices: RunIndexEntry[];
}

export function runIndexEntry(device: string, folder: string, code: number, report: Report | undefined, written: Partial<Record<ReportFormat, string>> | undefined, error?: string): RunIndexEntry {
  return {
    device,
    folder,
    exitCode: code,
    ...(report
      ? {
          aaguid: report.device.aaguid,
          summary: report.summary,
          ...(report.microsoft ? { microsoft: report.microsoft.verdict } : {}),
          ...(report.entra ? { entra: report.entra.verdict } : {}),
          ...(report.incomplete ? { incomplete: true, incompleteReason: report.incompleteReason } : {}),
        }
      : {}),
    ...(error ? { error } : {}),
    files: Object.values(written ?? {}).map((f) => `${folder}/${f.split(/[\\/]/).pop()}`),
  };
}

/** Writes index.json and index.html (every device text escaped) into `out`; returns their paths. */
export async function writeRunIndex(index: RunIndex, out: string): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const json = join(out, 'index.json');
  const page = join(out, 'index.html');
  await writeFile(json, `${JSON.stringify(index, null, 2)}\n`);
  await writeFile(page, renderRunIndexHtml(index));
  return [json, page];
}

/** report text in HTML: control characters made visible, then escaped (as the report renderers do) */
function html(text: string): string {
  return escapeHtml(cleanText(text, { max: 2048 }));
}

const VERDICT_CLASS: Record<number, string> = { 0: 'ok', 1: 'fail', 2: 'broken' };

export function renderRunIndexHtml(index: RunIndex): string {
  const rows = index.devices.map((d) => {
    const s = d.summary;
    const counts = s ? `${s.passed} passed, ${s.failed} failed, ${s.warned} warned, ${s.skipped} skipped, ${s.errored} errored` : '';
    const note = d.error ? `could not be used: ${d.error}` : d.incomplete ? `INCOMPLETE: ${d.incompleteReason ?? ''}` : '';
    const link = d.files.find((f) => f.endsWith('report.html')) ?? d.files[0];
    const name = link ? `<a href="${html(encodeURI(link))}">${html(d.device)}</a>` : html(d.device);
    return `<tr class="${VERDICT_CLASS[d.exitCode] ?? 'broken'}"><td>${name}</td><td>${html(d.aaguid ?? '')}</td><td>${d.exitCode}</td><td>${html(counts)}</td><td>${html(d.microsoft ?? '')}</td><td>${html(d.entra ?? '')}</td><td>${html(note)}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fido-harness: ${index.devices.length} devices</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}tr.ok td:nth-child(3){color:#060}tr.fail td:nth-child(3){color:#a00}tr.broken td:nth-child(3){color:#a60}</style>
</head><body>
<h1>fido-harness run on ${index.devices.length} devices</h1>
<p>${html(index.startedAt)} – ${html(index.finishedAt)}; exit code ${index.exitCode} (the worst of the runs: 0 passed, 1 a check failed, 2 incomplete or unusable)</p>
<table><thead><tr><th>device</th><th>AAGUID</th><th>exit</th><th>checks</th><th>Microsoft</th><th>Entra</th><th>note</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}
