import { dl, el, statusWord, table } from './dom.ts';

/** A run's report.json (DESIGN.md report model) shown as the HTML report would: summary, device, checks, verdicts. */
export function renderReport(run: string, report: any): HTMLElement {
  const box = el('div');
  const s = report.summary ?? {};
  const device = report.device ?? {};
  box.append(
    el('h3', {}, `Report: ${run}`),
    dl([
      ['Tool', report.tool ? `${report.tool.name ?? ''} ${report.tool.version ?? ''}` : undefined],
      ['Started', report.startedAt],
      ['Finished', report.finishedAt],
      ['Device', [device.transport, device.path].filter(Boolean).join(' ') || undefined],
      ['AAGUID', device.aaguid],
      ['Summary', `${s.passed ?? 0} passed, ${s.failed ?? 0} failed, ${s.warned ?? 0} warned, ${s.skipped ?? 0} skipped, ${s.errored ?? 0} errored`],
      ['Microsoft-compatible', report.microsoft?.verdict],
      ['Entra', report.entra?.verdict],
    ]),
  );
  const checks: any[] = Array.isArray(report.checks) ? report.checks : [];
  box.append(
    table(
      `Checks (${checks.length})`,
      ['Id', 'Suite', 'Title', 'Status', 'Message', 'Spec', 'ms'],
      checks.map((c) => [el('code', {}, String(c.id ?? '')), c.suite, c.title, statusWord(String(c.status ?? '')), c.message, c.specRef, c.durationMs]),
    ),
  );
  const reqs: any[] = Array.isArray(report.microsoft?.requirements) ? report.microsoft.requirements : [];
  if (reqs.length) {
    box.append(table('Microsoft requirements', ['Id', 'Title', 'Status', 'Source', 'Checks'], reqs.map((r) => [r.id, r.title, statusWord(String(r.status ?? '')), r.source, (r.checkIds ?? []).join(', ')])));
  }
  const reasons: any[] = Array.isArray(report.entra?.reasons) ? report.entra.reasons : [];
  if (reasons.length) {
    box.append(el('h4', {}, 'Entra reasons'), el('ul', {}, ...reasons.map((r) => el('li', {}, typeof r === 'string' ? r : JSON.stringify(r)))));
  }
  return box;
}
